-- Every change to a key tells the API instances at commit, whoever makes it (an API, `filetrail keys` in another
-- process, hand-written SQL), so their caches of verified keys drop it at once. The payload is '<schema>/<id>'
-- ('<schema>/*' for a TRUNCATE), so two key schemas in one database never invalidate each other's keys.
CREATE FUNCTION api_keys_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('filetrail_api_keys', TG_TABLE_SCHEMA || '/*');
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('filetrail_api_keys', TG_TABLE_SCHEMA || '/' || OLD.id);
    ELSE
        IF TG_OP = 'UPDATE' AND OLD.id IS DISTINCT FROM NEW.id THEN
            PERFORM pg_notify('filetrail_api_keys', TG_TABLE_SCHEMA || '/' || OLD.id);
        END IF;
        PERFORM pg_notify('filetrail_api_keys', TG_TABLE_SCHEMA || '/' || NEW.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER api_keys_notify_rows AFTER INSERT OR UPDATE OR DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION api_keys_notify();
CREATE TRIGGER api_keys_notify_truncate AFTER TRUNCATE ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION api_keys_notify();
