package dev.filetrail.journal.table;

/**
 * The {@code inventory} view's SQL, in plain strings with no Iceberg class, so the CDK app builds Athena's view from
 * the same text the local catalog's Iceberg view holds.
 */
public final class InventoryView {
    /** The view's name. */
    public static final String NAME = "inventory";
    /** The appended table it reads. */
    public static final String CHANGES = "inventory_changes";
    /** The table its tags come from (heads carry none). */
    public static final String RESULTS = "processing_results";
    private static final String COLUMNS = "latest.bucket, latest.key, latest.current_version_id AS version_id, "
            + "latest.size, latest.e_tag, latest.content_type, latest.storage_class, latest.last_modified, "
            + "latest.version_count, latest.delete_marker_count, tagged.tags";

    private InventoryView() {
    }

    /** The view's query over Filetrail's tables. */
    public static String sql(String changesTable) {
        return sql(changesTable, RESULTS);
    }

    /**
     * The view's query in SQL that DuckDB, Trino and Athena read alike: the latest change per object (its records
     * share a partition of {@code filetrail.files.v1}, so the offset orders them), kept when the object has a
     * current version: a delete marker on top or a tombstone takes it out. Its {@code tags} are the current
     * version's from the latest tag read in {@code resultsTable} (by {@code tags_fetched_at}, as the history keeps
     * them: S3 answers with the tags as they are when asked); null when no processor read them.
     */
    public static String sql(String changesTable, String resultsTable) {
        return "SELECT " + COLUMNS + " FROM (SELECT *, row_number() OVER (PARTITION BY bucket, key "
                + "ORDER BY kafka_offset DESC) AS change_rank FROM " + changesTable + ") latest "
                + "LEFT JOIN (SELECT bucket, key, version_id, tags, row_number() OVER (PARTITION BY bucket, key, "
                + "version_id ORDER BY tags_fetched_at DESC, kafka_offset DESC) AS tags_rank FROM " + resultsTable
                + " WHERE tags IS NOT NULL AND tags_fetched_at IS NOT NULL) tagged ON tagged.bucket = latest.bucket "
                + "AND tagged.key = latest.key AND tagged.version_id = latest.current_version_id "
                + "AND tagged.tags_rank = 1 "
                + "WHERE latest.change_rank = 1 AND NOT latest.gone AND NOT latest.deleted";
    }
}
