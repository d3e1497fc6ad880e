-- Read model of Filetrail: every table here is derived from Kafka and can be rebuilt from offset zero.
-- Keys use the "C" collation so that string order is byte order: prefix scans and cursors agree with it.

CREATE TABLE projection_offsets (
    topic       text    NOT NULL,
    partition   integer NOT NULL,
    next_offset bigint  NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, partition)
);

CREATE TABLE files (
    bucket              text COLLATE "C" NOT NULL,
    key                 text COLLATE "C" NOT NULL,
    deleted             boolean NOT NULL,
    current_version_id  text,
    latest_version_id   text,
    version_count       bigint NOT NULL,
    delete_marker_count bigint NOT NULL,
    size                bigint,
    e_tag               text,
    content_type        text,
    storage_class       text,
    last_modified       timestamptz,
    PRIMARY KEY (bucket, key)
);

-- One row per version: history pages come from the index below, never from one growing document.
CREATE TABLE file_versions (
    bucket          text COLLATE "C" NOT NULL,
    key             text COLLATE "C" NOT NULL,
    version_id      text COLLATE "C" NOT NULL,
    ordering        text COLLATE "C" NOT NULL,
    sequencer       text,
    delete_marker   boolean NOT NULL,
    size            bigint,
    e_tag           text,
    storage_class   text,
    created_at      timestamptz,
    requester       text,
    content_type    text,
    restore         jsonb,
    tags_changed_at timestamptz,
    derivatives     jsonb,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bucket, key, version_id)
);
CREATE INDEX file_versions_history ON file_versions (bucket, key, ordering, version_id);

CREATE TABLE share_links (
    link_id             text PRIMARY KEY,
    bucket              text COLLATE "C" NOT NULL,
    key                 text COLLATE "C" NOT NULL,
    token_sha256        text NOT NULL,
    pinned_version_id   text,
    resolved_version_id text,
    status              text NOT NULL,
    status_reason       text,
    expires_at          timestamptz,
    password_hash       text,
    allow_download      boolean NOT NULL,
    created_by          text,
    created_at          timestamptz,
    revoked_at          timestamptz,
    revoked_by          text,
    access_count        bigint NOT NULL DEFAULT 0,
    last_access_at      timestamptz,
    last_command_id     text,
    updated_at          timestamptz
);
CREATE UNIQUE INDEX share_links_token ON share_links (token_sha256);
CREATE INDEX share_links_file ON share_links (bucket, key, created_at, link_id);

CREATE TABLE audit_events (
    id        text PRIMARY KEY,
    type      text NOT NULL,
    source    text,
    subject   text,
    time      timestamptz NOT NULL,
    bucket    text COLLATE "C",
    key       text COLLATE "C",
    event     jsonb NOT NULL
);
CREATE INDEX audit_events_time ON audit_events (time, id);
CREATE INDEX audit_events_file ON audit_events (bucket, key, time, id);
CREATE INDEX audit_events_type ON audit_events (type, time, id);

-- Records the projector could not read: kept with the reason, never silently dropped.
CREATE TABLE projection_rejects (
    topic       text    NOT NULL,
    partition   integer NOT NULL,
    record_offset bigint NOT NULL,
    record_key  text,
    reason      text    NOT NULL,
    payload     bytea,
    rejected_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, partition, record_offset)
);
