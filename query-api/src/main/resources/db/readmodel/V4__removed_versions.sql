-- A version that S3 no longer has (permanently deleted, or expired by a lifecycle rule) stays in the history as a
-- removed entry: when, and why ('deleted', 'lifecycle-expiration', 'noncurrent-expiration'). NULL = present.
ALTER TABLE file_versions ADD COLUMN removed_at timestamptz;
ALTER TABLE file_versions ADD COLUMN removed_reason text;
