-- Rewind jobs (issue 18): a prefix made current again as it was at an instant. The plan and each action's outcome
-- are the record of what S3 was asked to do, not something derived from events, so they live beside the keys and
-- survive read-model rebuilds (a rebuild swaps the read-model schema and would forget a job half done).
CREATE TABLE rewinds (
    id          text PRIMARY KEY,
    bucket      text NOT NULL,
    prefix      text NOT NULL,
    to_instant  timestamptz NOT NULL,
    actor       text NOT NULL,
    state       text NOT NULL,            -- running, stopped, finished
    created_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    last_error  text
);

-- One row per key of the plan. state: pending, started (the S3 call may have happened: check S3 before redoing it),
-- done (new_version_id is what S3 made), failed (reason), skipped (a keep).
CREATE TABLE rewind_actions (
    rewind_id         text NOT NULL REFERENCES rewinds (id),
    key               text NOT NULL,
    action            text NOT NULL,      -- restore, delete, keep
    source_version_id text,               -- restore: the version current at the instant
    current_version_id text,              -- the version current when planned (null: deleted or absent)
    state             text NOT NULL,
    new_version_id    text,
    reason            text,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (rewind_id, key)
);
