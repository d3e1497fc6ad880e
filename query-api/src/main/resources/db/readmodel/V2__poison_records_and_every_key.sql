-- Every S3 key (any UTF-8, U+0000 included) and every record the projector cannot apply.

-- Key columns hold StoredKey's form: U+0001 became the escape (U+0000 -> U+0001 U+0001, U+0001 -> U+0001 U+0002),
-- so a value written before that holds U+0001 is rewritten to its escaped form. U+0000 could never be stored.
UPDATE files SET key = replace(key, chr(1), chr(1) || chr(2)) WHERE strpos(key, chr(1)) > 0;
UPDATE file_versions SET key = replace(key, chr(1), chr(1) || chr(2)) WHERE strpos(key, chr(1)) > 0;
UPDATE share_links SET key = replace(key, chr(1), chr(1) || chr(2)) WHERE strpos(key, chr(1)) > 0;
UPDATE share_links SET status_reason = replace(status_reason, chr(1), chr(1) || chr(2))
    WHERE strpos(status_reason, chr(1)) > 0;
UPDATE audit_events SET key = replace(key, chr(1), chr(1) || chr(2)) WHERE strpos(key, chr(1)) > 0;
UPDATE audit_events SET subject = replace(subject, chr(1), chr(1) || chr(2)) WHERE strpos(subject, chr(1)) > 0;
UPDATE projection_rejects SET record_key = replace(record_key, chr(1), chr(1) || chr(2))
    WHERE strpos(record_key, chr(1)) > 0;

-- jsonb cannot hold "\u0000" inside a string (a key in an audit event, an EXIF text); json keeps the text as
-- written, and nothing queries inside these documents.
ALTER TABLE file_versions ALTER COLUMN restore TYPE json USING restore::json,
                          ALTER COLUMN derivatives TYPE json USING derivatives::json;
ALTER TABLE audit_events ALTER COLUMN event TYPE json USING event::json;

-- A reject is retried by `filetrail rejects retry`; one that applies leaves the table, one that fails again stays
-- with its new reason.
ALTER TABLE projection_rejects ADD COLUMN retries integer NOT NULL DEFAULT 0,
                               ADD COLUMN retried_at timestamptz;
