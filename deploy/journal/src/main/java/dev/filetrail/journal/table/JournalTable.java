package dev.filetrail.journal.table;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventType;
import dev.filetrail.events.object.Origin;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/**
 * The {@code journal} table: one row per record of {@code filetrail.object-events.v1}, every {@link ObjectEvent}
 * field in a typed column, plus where the record sat in Kafka. Partitioned by day of event time and bucket.
 */
public final class JournalTable {
    /** The table's name in the journal namespace. */
    public static final String NAME = "journal";

    public static final Schema SCHEMA = new Schema(
            optional(1, "event_id", Types.StringType.get(), "ObjectEvent.eventId"),
            optional(2, "bucket", Types.StringType.get()),
            optional(3, "key", Types.StringType.get(), "the decoded object key"),
            optional(4, "version_id", Types.StringType.get(), "absent for unversioned buckets"),
            optional(5, "sequencer", Types.StringType.get()),
            optional(6, "type", Types.StringType.get(), "ObjectEventType name"),
            optional(7, "event_name", Types.StringType.get(), "S3's eventName, e.g. ObjectCreated:Put"),
            optional(8, "size", Types.LongType.get(), "bytes"),
            optional(9, "e_tag", Types.StringType.get()),
            optional(10, "storage_class", Types.StringType.get()),
            optional(11, "event_time", Types.TimestampType.withZone()),
            optional(12, "region", Types.StringType.get()),
            optional(13, "requester", Types.StringType.get()),
            optional(14, "source_ip", Types.StringType.get()),
            optional(15, "restore_expiry_time", Types.TimestampType.withZone()),
            optional(16, "restore_storage_class", Types.StringType.get()),
            optional(17, "origin", Types.StructType.of(
                    optional(18, "source", Types.StringType.get()),
                    optional(19, "sqs_message_id", Types.StringType.get()),
                    optional(20, "sns_message_id", Types.StringType.get()),
                    optional(21, "configuration_id", Types.StringType.get()))),
            optional(22, "ingested_at", Types.TimestampType.withZone(), "microseconds; see ingested_at_nanos"),
            optional(23, "ingested_at_nanos", Types.IntegerType.get(),
                    "nano-of-second of ingested_at: the bridge's clock has nanoseconds, Iceberg's timestamptz micros"),
            required(24, "kafka_partition", Types.IntegerType.get()),
            required(25, "kafka_offset", Types.LongType.get()),
            optional(26, "kafka_timestamp", Types.TimestampType.withZone(), "the Kafka record's timestamp"));

    public static final PartitionSpec SPEC = PartitionSpec.builderFor(SCHEMA).day("event_time").identity("bucket").build();

    private JournalTable() {
    }

    /** Where one journalled record sat in Kafka. */
    public record Position(int partition, long offset, Instant timestamp) {
    }

    /** One journal row as read back: the event and where its record sat. */
    public record Row(ObjectEvent event, Position position) {
    }

    /** The row the sink writes for {@code event}, as the nested map Iceberg's sink converts by column name. */
    public static Map<String, Object> toRow(ObjectEvent event, Position position) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("event_id", event.eventId());
        row.put("bucket", event.bucket());
        row.put("key", event.key());
        row.put("version_id", event.versionId());
        row.put("sequencer", event.sequencer());
        row.put("type", event.type() == null ? null : event.type().name());
        row.put("event_name", event.eventName());
        row.put("size", event.size());
        row.put("e_tag", event.eTag());
        row.put("storage_class", event.storageClass());
        row.put("event_time", timestamp(event.eventTime()));
        row.put("region", event.region());
        row.put("requester", event.requester());
        row.put("source_ip", event.sourceIp());
        row.put("restore_expiry_time", timestamp(event.restoreExpiryTime()));
        row.put("restore_storage_class", event.restoreStorageClass());
        Origin origin = event.origin();
        if (origin != null) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("source", origin.source());
            o.put("sqs_message_id", origin.sqsMessageId());
            o.put("sns_message_id", origin.snsMessageId());
            o.put("configuration_id", origin.configurationId());
            row.put("origin", o);
        } else {
            row.put("origin", null);
        }
        row.put("ingested_at", timestamp(event.ingestedAt()));
        row.put("ingested_at_nanos", event.ingestedAt() == null ? null : event.ingestedAt().getNano());
        putPosition(row, position);
        return row;
    }

    /** The event and position a row holds: the inverse of {@link #toRow}. */
    public static Row fromRecord(Record row) {
        Record origin = (Record) row.getField("origin");
        Instant ingested = instant(row.getField("ingested_at"));
        Integer nanos = (Integer) row.getField("ingested_at_nanos");
        if (ingested != null && nanos != null) {
            ingested = ingested.with(java.time.temporal.ChronoField.NANO_OF_SECOND, nanos);
        }
        String type = (String) row.getField("type");
        ObjectEvent event = new ObjectEvent(
                (String) row.getField("event_id"),
                (String) row.getField("bucket"),
                (String) row.getField("key"),
                (String) row.getField("version_id"),
                (String) row.getField("sequencer"),
                type == null ? null : ObjectEventType.valueOf(type),
                (String) row.getField("event_name"),
                (Long) row.getField("size"),
                (String) row.getField("e_tag"),
                (String) row.getField("storage_class"),
                instant(row.getField("event_time")),
                (String) row.getField("region"),
                (String) row.getField("requester"),
                (String) row.getField("source_ip"),
                instant(row.getField("restore_expiry_time")),
                (String) row.getField("restore_storage_class"),
                origin == null ? null : new Origin((String) origin.getField("source"),
                        (String) origin.getField("sqs_message_id"), (String) origin.getField("sns_message_id"),
                        (String) origin.getField("configuration_id")),
                ingested);
        Position position = new Position((Integer) row.getField("kafka_partition"), (Long) row.getField("kafka_offset"),
                instant(row.getField("kafka_timestamp")));
        return new Row(event, position);
    }

    /** Where the record sat in Kafka: the last three columns of every table. */
    static void putPosition(Map<String, Object> row, Position position) {
        row.put("kafka_partition", position.partition());
        row.put("kafka_offset", position.offset());
        row.put("kafka_timestamp", timestamp(position.timestamp()));
    }

    /** An instant as the sink's timestamptz value (microseconds). */
    static OffsetDateTime timestamp(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }

    static Instant instant(Object value) {
        return value == null ? null : ((OffsetDateTime) value).toInstant();
    }
}
