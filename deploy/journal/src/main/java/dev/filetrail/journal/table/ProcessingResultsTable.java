package dev.filetrail.journal.table;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import dev.filetrail.events.processing.ExifData;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.events.processing.Thumbnail;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

/**
 * The {@code processing_results} table: one row per record of {@code filetrail.processing-results.v1} (what the
 * thumbnailer and metadata processors derived from a version), every field typed (EXIF a struct, thumbnails a list of
 * structs, tags a map), plus the record itself ({@code record_key}, {@code record_value}), from which a restore
 * writes it back byte for byte. Partitioned by day of {@code processed_at} and processor.
 */
public final class ProcessingResultsTable {
    /** The table's name in the journal namespace. */
    public static final String NAME = "processing_results";

    public static final Schema SCHEMA = new Schema(
            optional(1, "result_id", Types.StringType.get(), "ProcessingResult.resultId"),
            optional(2, "processor", Types.StringType.get(), "thumbnailer, metadata or tags"),
            optional(3, "bucket", Types.StringType.get()),
            optional(4, "key", Types.StringType.get(), "the decoded object key"),
            optional(5, "version_id", Types.StringType.get()),
            optional(6, "status", Types.StringType.get(), "SUCCEEDED, FAILED or SKIPPED"),
            optional(7, "failure_reason", Types.StringType.get()),
            optional(8, "content_type", Types.StringType.get()),
            optional(9, "width", Types.IntegerType.get(), "pixels"),
            optional(10, "height", Types.IntegerType.get(), "pixels"),
            optional(11, "size", Types.LongType.get(), "bytes"),
            optional(12, "sha256", Types.StringType.get()),
            optional(13, "exif", Types.StructType.of(
                    optional(30, "capture_time", Types.TimestampType.withZone()),
                    optional(31, "camera_make", Types.StringType.get()),
                    optional(32, "camera_model", Types.StringType.get()),
                    optional(33, "orientation", Types.IntegerType.get()),
                    optional(34, "gps_latitude", Types.DoubleType.get()),
                    optional(35, "gps_longitude", Types.DoubleType.get()))),
            optional(14, "thumbnails", Types.ListType.ofOptional(36, Types.StructType.of(
                    optional(37, "size", Types.IntegerType.get(), "the requested bounding size"),
                    optional(38, "width", Types.IntegerType.get()),
                    optional(39, "height", Types.IntegerType.get()),
                    optional(40, "content_type", Types.StringType.get()),
                    optional(41, "bucket", Types.StringType.get(), "the derivatives bucket"),
                    optional(42, "key", Types.StringType.get()),
                    optional(43, "bytes", Types.LongType.get())))),
            optional(15, "processed_at", Types.TimestampType.withZone()),
            optional(16, "restored_from", Types.StringType.get(), "the version this one is a restored copy of"),
            optional(17, "tags", Types.MapType.ofOptional(44, 45, Types.StringType.get(), Types.StringType.get()),
                    "S3 object tags as GetObjectTagging answered; empty: none; null: not read"),
            optional(18, "tags_fetched_at", Types.TimestampType.withZone()),
            optional(19, "record_key", Types.StringType.get(), "the Kafka record's key, bucket/key"),
            optional(20, "record_value", Types.StringType.get(), "the record's value, the JSON exactly as written"),
            required(21, "kafka_partition", Types.IntegerType.get()),
            required(22, "kafka_offset", Types.LongType.get()),
            optional(23, "kafka_timestamp", Types.TimestampType.withZone(), "the Kafka record's timestamp"));

    public static final PartitionSpec SPEC = PartitionSpec.builderFor(SCHEMA).day("processed_at").identity("processor")
            .build();

    private ProcessingResultsTable() {
    }

    /** The row the sink writes for {@code result}, kept with the record's own key and value. */
    public static Map<String, Object> toRow(ProcessingResult result, KeptRecord.Source source,
                                            JournalTable.Position position) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("result_id", result.resultId());
        row.put("processor", result.processor());
        row.put("bucket", result.bucket());
        row.put("key", result.key());
        row.put("version_id", result.versionId());
        row.put("status", result.status() == null ? null : result.status().name());
        row.put("failure_reason", result.failureReason());
        row.put("content_type", result.contentType());
        row.put("width", result.width());
        row.put("height", result.height());
        row.put("size", result.size());
        row.put("sha256", result.sha256());
        row.put("exif", exif(result.exif()));
        row.put("thumbnails", result.thumbnails() == null ? null
                : result.thumbnails().stream().map(ProcessingResultsTable::thumbnail).toList());
        row.put("processed_at", JournalTable.timestamp(result.processedAt()));
        row.put("restored_from", result.restoredFrom());
        row.put("tags", result.tags() == null ? null : new LinkedHashMap<>(result.tags()));
        row.put("tags_fetched_at", JournalTable.timestamp(result.tagsFetchedAt()));
        KeptRecord.put(row, source);
        JournalTable.putPosition(row, position);
        return row;
    }

    private static Map<String, Object> exif(ExifData exif) {
        if (exif == null) {
            return null;
        }
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("capture_time", JournalTable.timestamp(exif.captureTime()));
        e.put("camera_make", exif.cameraMake());
        e.put("camera_model", exif.cameraModel());
        e.put("orientation", exif.orientation());
        e.put("gps_latitude", exif.gpsLatitude());
        e.put("gps_longitude", exif.gpsLongitude());
        return e;
    }

    private static Map<String, Object> thumbnail(Thumbnail t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("size", t.size());
        m.put("width", t.width());
        m.put("height", t.height());
        m.put("content_type", t.contentType());
        m.put("bucket", t.bucket());
        m.put("key", t.key());
        m.put("bytes", t.bytes());
        return m;
    }
}
