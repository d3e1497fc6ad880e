-- A version's S3 object tags (issue 17 item 4): a JSON object of key -> value ('{}' when it has none) as S3 answered
-- GetObjectTagging at tags_fetched_at; NULL while unknown (never read, or a tagging event newer than the last read is
-- waiting for its own read). Written by the projector from the history record's version.
ALTER TABLE file_versions ADD COLUMN tags jsonb;
ALTER TABLE file_versions ADD COLUMN tags_fetched_at timestamptz;
