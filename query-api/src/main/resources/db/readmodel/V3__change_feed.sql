-- The change feed (issue 22): one row per applied record of filetrail.file-versions.v1, written by the projector in
-- the transaction that writes the rows and the offsets. Its position is the record's Kafka position (partition,
-- offset), so a client's cursor (a vector of per-partition next offsets) means the same after a projection rebuild,
-- which re-reads the same offsets. version and head are the record's own: the version after the change (as it was,
-- for a removal) and the file's head after it.
CREATE TABLE changes (
    topic_partition integer NOT NULL,
    record_offset   bigint  NOT NULL,
    bucket          text COLLATE "C" NOT NULL,
    key             text COLLATE "C" NOT NULL,
    version_id      text COLLATE "C" NOT NULL,
    change          text NOT NULL,
    version         json,
    head            json,
    event_time      timestamptz,
    projected_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic_partition, record_offset)
);

-- "What changed in this bucket after offset o of partition p": proportional to the bucket's changes after the
-- cursor (a sync that keeps up reads only what is new).
CREATE INDEX changes_by_bucket ON changes (bucket, topic_partition, record_offset);
-- "Everything under this prefix" (a full sync, or a narrow prefix in a busy bucket): proportional to the prefix.
CREATE INDEX changes_by_key ON changes (bucket, key, topic_partition, record_offset);
-- Retention prunes by age.
CREATE INDEX changes_by_age ON changes (projected_at);
