-- Reprocess jobs (filetrail reprocess): which versions a run was to hand to the processors and which it has handed
-- over. Not derived from events (it records what the Lambdas were asked), so it lives in a schema of its own that a
-- read-model rebuild (which swaps the read-model schema) never touches.
CREATE TABLE reprocess_jobs (
    id             text PRIMARY KEY,
    bucket         text COLLATE "C" NOT NULL,
    prefix         text COLLATE "C" NOT NULL,
    include_failed boolean NOT NULL,
    state          text NOT NULL,          -- open (versions left to send), finished
    total          bigint NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    last_error     text
);

-- The job's versions, numbered in key order when the job was planned (a snapshot: versions arriving later are for
-- the processors' own notifications, or the next job). A processor's column is set once its Invoke was accepted.
CREATE TABLE reprocess_versions (
    job_id            text NOT NULL REFERENCES reprocess_jobs (id),
    seq               bigint NOT NULL,
    key               text COLLATE "C" NOT NULL,
    version_id        text COLLATE "C" NOT NULL,
    size              bigint,
    e_tag             text,
    sequencer         text,
    reason            text NOT NULL,       -- no-derivatives, no-metadata, failed
    thumbnail_sent_at timestamptz,
    metadata_sent_at  timestamptz,
    PRIMARY KEY (job_id, seq)
);
