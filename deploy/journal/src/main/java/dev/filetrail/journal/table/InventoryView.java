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
    private static final String COLUMNS = "bucket, key, current_version_id AS version_id, size, e_tag, content_type, "
            + "storage_class, last_modified, version_count, delete_marker_count";

    private InventoryView() {
    }

    /**
     * The view's query in SQL that DuckDB, Trino and Athena read alike: the latest change per object (its records
     * share a partition of {@code filetrail.files.v1}, so the offset orders them), kept when the object has a
     * current version: a delete marker on top or a tombstone takes it out.
     */
    public static String sql(String changesTable) {
        return "SELECT " + COLUMNS + " FROM (SELECT *, row_number() OVER (PARTITION BY bucket, key "
                + "ORDER BY kafka_offset DESC) AS change_rank FROM " + changesTable + ") latest "
                + "WHERE change_rank = 1 AND NOT gone AND NOT deleted";
    }
}
