-- As-of listings (issue 18) proportional to the keys under a prefix, not to their versions.

-- One row per key that ever had a version in file_versions, in key order. `files` cannot serve: its row goes when a
-- key's every version is removed, yet the key was current before the removal. Filled by the trigger below from the
-- rows file_versions gains (the projector's statements stay as they are), never emptied: a key with no version
-- left at an instant is simply absent from the listing as of it.
CREATE TABLE file_keys (
    bucket text COLLATE "C" NOT NULL,
    key    text COLLATE "C" NOT NULL,
    PRIMARY KEY (bucket, key)
);
INSERT INTO file_keys (bucket, key) SELECT DISTINCT bucket, key FROM file_versions;

-- Once per INSERT statement (a batch rewritten into one multi-row INSERT is one call), and only for the rows that
-- statement inserted (ON CONFLICT DO UPDATE rows are not in `added`). Unqualified names resolve in the read model's
-- schema (the session's search_path), so a rebuilt schema, renamed into place, keeps working.
CREATE FUNCTION file_keys_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO file_keys (bucket, key) SELECT DISTINCT bucket, key FROM added ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER file_keys_add AFTER INSERT ON file_versions REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION file_keys_add();

-- The history index, covering the as-of lookup: it reads a key's entries from the newest down, tests created_at /
-- removed_at / delete_marker on the index alone and answers with what a listing shows (size, e_tag, storage_class,
-- content_type) without visiting the table: one index descent per key (an index-only scan). Same name and key
-- columns: every history query keeps using it.
DROP INDEX file_versions_history;
CREATE INDEX file_versions_history ON file_versions (bucket, key, ordering, version_id)
    INCLUDE (created_at, removed_at, delete_marker, size, e_tag, storage_class, content_type);
