-- Head snapshots (issue 18): an as-of listing read in key order from the latest snapshot at or before T, with one
-- history-index descent only for the keys that changed between the snapshot and T.

-- One row per snapshot of a bucket: every key's head as of `taken_at`. A snapshot is registered first (ready = false)
-- and filled after; only a ready one answers. Rows go oldest first (retention), never from the middle: a change is
-- marked on the latest snapshot at or before it, so the snapshot before a removed one would miss those marks.
CREATE TABLE as_of_snapshots (
    bucket    text COLLATE "C" NOT NULL,
    taken_at  timestamptz NOT NULL,
    ready     boolean NOT NULL DEFAULT false,
    keys      bigint,
    built_at  timestamptz,
    PRIMARY KEY (bucket, taken_at)
);

-- Per snapshot and key: the listed fields of the version current at `taken_at` (version_id NULL when the key had no
-- listed version then: absent, or a delete marker), and `dirty_from`, the first instant from which the row may no
-- longer be the key's answer (a version created or removed after `taken_at`, a version changed later, an event that
-- arrived late). A listing as of T takes the row while T < dirty_from and descends into the history otherwise.
-- Keys absent at `taken_at` that change later get a row too (version_id NULL), so a listing finds them.
CREATE TABLE as_of_heads (
    bucket         text COLLATE "C" NOT NULL,
    taken_at       timestamptz NOT NULL,
    key            text COLLATE "C" NOT NULL,
    version_id     text COLLATE "C",
    size           bigint,
    e_tag          text,
    storage_class  text,
    content_type   text,
    created_at     timestamptz,
    dirty_from     timestamptz NOT NULL DEFAULT 'infinity',
    PRIMARY KEY (bucket, taken_at, key)
) WITH (fillfactor = 90);

-- Writers take this lock shared (in the triggers below, held to commit); registering a snapshot takes it exclusive,
-- so every writer either committed before the registration (the fill reads its rows) or reads the registration in
-- its trigger (and marks its keys). Keyed by schema: a rebuild's fresh schema does not wait on the live one.
-- The marks: a change at instant c dirties the latest snapshot at or before c from c, and every later snapshot from
-- its own taken_at (the change arrived after it was filled, or was unknown to it).
CREATE FUNCTION as_of_mark(changed_buckets text[], changed_keys text[], changed_ats timestamptz[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO as_of_heads AS h (bucket, taken_at, key, dirty_from)
    SELECT c.bucket, s.taken_at, c.key, min(greatest(s.taken_at, c.at))
      FROM unnest(changed_buckets, changed_keys, changed_ats) AS c(bucket, key, at)
      JOIN as_of_snapshots s ON s.bucket = c.bucket
       AND s.taken_at >= coalesce((SELECT max(p.taken_at) FROM as_of_snapshots p
                                    WHERE p.bucket = c.bucket AND p.taken_at <= c.at), '-infinity')
     WHERE c.at IS NOT NULL
     GROUP BY c.bucket, s.taken_at, c.key
    ON CONFLICT (bucket, taken_at, key) DO UPDATE SET dirty_from = excluded.dirty_from
     WHERE excluded.dirty_from < h.dirty_from
$$;

-- Inserted versions: the change is at created_at (a row inserted already removed counts from the earlier instant).
CREATE FUNCTION as_of_mark_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(18, hashtext(current_schema()));
    IF EXISTS (SELECT 1 FROM as_of_snapshots) THEN
        PERFORM as_of_mark(array_agg(bucket), array_agg(key), array_agg(least(created_at, removed_at)))
           FROM added;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER as_of_mark_added AFTER INSERT ON file_versions REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION as_of_mark_added();

-- Updated versions (the projector's upserts, removals): a change of what a listing shows or of the version's place in
-- the order counts from its creation; a change of its removal alone, from the removal. An upsert that rewrites the
-- same values (a replay) marks nothing.
CREATE FUNCTION as_of_mark_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(18, hashtext(current_schema()));
    IF EXISTS (SELECT 1 FROM as_of_snapshots) THEN
        PERFORM as_of_mark(array_agg(c.bucket), array_agg(c.key), array_agg(c.at))
           FROM (SELECT n.bucket, n.key, CASE
                        WHEN (o.created_at, o.ordering, o.delete_marker, o.size, o.e_tag, o.storage_class,
                              o.content_type)
                             IS DISTINCT FROM (n.created_at, n.ordering, n.delete_marker, n.size, n.e_tag,
                                               n.storage_class, n.content_type)
                            THEN least(o.created_at, n.created_at, o.removed_at, n.removed_at)
                        WHEN o.removed_at IS DISTINCT FROM n.removed_at THEN least(o.removed_at, n.removed_at)
                        END AS at
                   FROM before o JOIN after n ON n.bucket = o.bucket AND n.key = o.key
                                              AND n.version_id = o.version_id) c
          WHERE c.at IS NOT NULL;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER as_of_mark_updated AFTER UPDATE ON file_versions REFERENCING OLD TABLE AS before NEW TABLE AS after
    FOR EACH STATEMENT EXECUTE FUNCTION as_of_mark_updated();
