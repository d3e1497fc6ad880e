-- API keys are not derived from events, so they live outside the read model and survive its rebuilds.
CREATE TABLE api_keys (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    secret_sha256 text NOT NULL,
    scopes      text[] NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
