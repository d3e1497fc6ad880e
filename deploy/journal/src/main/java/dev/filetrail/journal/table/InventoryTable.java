package dev.filetrail.journal.table;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import dev.filetrail.events.history.FileHead;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

/**
 * The inventory: {@code inventory_changes}, one appended row per record of {@code filetrail.files.v1} (an object's
 * head after a change, or its tombstone), and the view {@code inventory}, the latest row per (bucket, key) when that
 * row names a current version. Iceberg's sink only appends, so the view, not equality deletes, makes it current.
 */
public final class InventoryTable {
    /** The appended table's name in the journal namespace. */
    public static final String CHANGES = InventoryView.CHANGES;
    /** The view's name: one row per current object version. */
    public static final String VIEW = InventoryView.NAME;

    public static final Schema SCHEMA = new Schema(
            optional(1, "bucket", Types.StringType.get()),
            optional(2, "key", Types.StringType.get(), "the decoded object key"),
            optional(3, "gone", Types.BooleanType.get(), "a tombstone: the object has no version or marker left"),
            optional(4, "deleted", Types.BooleanType.get(), "the newest entry is a delete marker"),
            optional(5, "current_version_id", Types.StringType.get(), "null when deleted or gone"),
            optional(6, "latest_version_id", Types.StringType.get(), "the newest entry, marker or version"),
            optional(7, "version_count", Types.LongType.get()),
            optional(8, "delete_marker_count", Types.LongType.get()),
            optional(9, "size", Types.LongType.get(), "bytes of the current version"),
            optional(10, "e_tag", Types.StringType.get()),
            optional(11, "content_type", Types.StringType.get(), "as the metadata processor found it"),
            optional(12, "storage_class", Types.StringType.get()),
            optional(13, "last_modified", Types.TimestampType.withZone()),
            required(14, "kafka_partition", Types.IntegerType.get()),
            required(15, "kafka_offset", Types.LongType.get(), "orders one object's changes: all share a partition"),
            optional(16, "kafka_timestamp", Types.TimestampType.withZone(), "the Kafka record's timestamp"));

    public static final PartitionSpec SPEC = PartitionSpec.builderFor(SCHEMA).identity("bucket").build();

    private InventoryTable() {
    }

    /** The view's query over {@code changesTable}; see {@link InventoryView#sql}. */
    public static String viewSql(String changesTable) {
        return InventoryView.sql(changesTable);
    }

    /** The view's schema (what {@link #viewSql} returns). */
    public static final Schema VIEW_SCHEMA = new Schema(
            optional(1, "bucket", Types.StringType.get()),
            optional(2, "key", Types.StringType.get()),
            optional(3, "version_id", Types.StringType.get()),
            optional(4, "size", Types.LongType.get()),
            optional(5, "e_tag", Types.StringType.get()),
            optional(6, "content_type", Types.StringType.get()),
            optional(7, "storage_class", Types.StringType.get()),
            optional(8, "last_modified", Types.TimestampType.withZone()),
            optional(9, "version_count", Types.LongType.get()),
            optional(10, "delete_marker_count", Types.LongType.get()),
            optional(11, "tags", Types.MapType.ofOptional(12, 13, Types.StringType.get(), Types.StringType.get()),
                    "the current version's S3 object tags, from the latest tag read in processing_results"));

    /** The row for a head of {@code filetrail.files.v1}. */
    public static Map<String, Object> toRow(FileHead head, JournalTable.Position position) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("bucket", head.bucket());
        row.put("key", head.key());
        row.put("gone", !head.exists());
        row.put("deleted", head.deleted());
        row.put("current_version_id", head.deleted() ? null : head.currentVersionId());
        row.put("latest_version_id", head.latestVersionId());
        row.put("version_count", head.versionCount());
        row.put("delete_marker_count", head.deleteMarkerCount());
        row.put("size", head.size());
        row.put("e_tag", head.eTag());
        row.put("content_type", head.contentType());
        row.put("storage_class", head.storageClass());
        row.put("last_modified", JournalTable.timestamp(head.lastModified()));
        JournalTable.putPosition(row, position);
        return row;
    }

    /**
     * The row for a tombstone (null value) of record key {@code bucket/key}: the object is gone. Bucket names hold no
     * '/', so the first one splits the key.
     */
    public static Map<String, Object> goneRow(String recordKey, JournalTable.Position position) {
        int slash = recordKey.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("a files.v1 key is bucket/key, was '" + recordKey + "'");
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("bucket", recordKey.substring(0, slash));
        row.put("key", recordKey.substring(slash + 1));
        row.put("gone", true);
        row.put("deleted", false);
        row.put("version_count", 0L);
        row.put("delete_marker_count", 0L);
        JournalTable.putPosition(row, position);
        return row;
    }
}
