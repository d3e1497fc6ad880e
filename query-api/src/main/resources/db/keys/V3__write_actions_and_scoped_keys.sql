-- The answers to write actions sent with an Idempotency-Key (restore, undelete). They are not derived from events,
-- so they live beside the keys and survive read-model rebuilds; every API instance sees them. A row is 'pending'
-- (status 0) while its action runs, so a concurrent repeat waits instead of acting twice.
CREATE TABLE idempotent_requests (
    key_id          text NOT NULL,
    idempotency_key text NOT NULL,
    request_sha256  text NOT NULL,
    status          integer NOT NULL,
    response        text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (key_id, idempotency_key)
);
CREATE INDEX idempotent_requests_created_at ON idempotent_requests (created_at);

-- Scoped keys: a key limited to some buckets (NULL = every bucket) and a key prefix (NULL = every key), and one
-- that stops working at a given time (NULL = never).
ALTER TABLE api_keys ADD COLUMN buckets text[];
ALTER TABLE api_keys ADD COLUMN key_prefix text;
ALTER TABLE api_keys ADD COLUMN expires_at timestamptz;
