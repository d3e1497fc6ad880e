package dev.filetrail.journal.table;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.events.Json;
import dev.filetrail.events.audit.CloudEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

/**
 * The {@code audit} table: one row per CloudEvent of {@code filetrail.audit.v1}. The envelope's attributes and the
 * facts every audit question filters on (bucket, key, version, who) are typed columns; {@code data} is kept whole as
 * the JSON the event carried, so nothing of a type's payload is lost. Partitioned by day of {@code time} and type.
 */
public final class AuditTable {
    /** The table's name in the journal namespace. */
    public static final String NAME = "audit";

    public static final Schema SCHEMA = new Schema(
            optional(1, "id", Types.StringType.get(), "CloudEvent id: deterministic, one fact per source + id"),
            optional(2, "source", Types.StringType.get()),
            optional(3, "type", Types.StringType.get(), "e.g. dev.filetrail.version.created"),
            optional(4, "subject", Types.StringType.get(), "bucket/key"),
            optional(5, "time", Types.TimestampType.withZone(), "the fact's time (S3 event time, command time, ...)"),
            optional(6, "specversion", Types.StringType.get()),
            optional(7, "datacontenttype", Types.StringType.get()),
            optional(8, "dataschema", Types.StringType.get(), "the JSON Schema of data; absent on early events"),
            optional(9, "bucket", Types.StringType.get(), "data.bucket"),
            optional(10, "key", Types.StringType.get(), "data.key"),
            optional(11, "version_id", Types.StringType.get(), "data.versionId"),
            optional(12, "size", Types.LongType.get(), "data.size, bytes"),
            optional(13, "requester", Types.StringType.get(), "data.requester: the S3 principal"),
            optional(14, "actor", Types.StringType.get(), "data.actor: the API caller of share and URL facts"),
            optional(15, "link_id", Types.StringType.get(), "data.linkId of share facts"),
            optional(16, "data", Types.StringType.get(), "the event's data, JSON as written"),
            required(17, "kafka_partition", Types.IntegerType.get()),
            required(18, "kafka_offset", Types.LongType.get()),
            optional(19, "kafka_timestamp", Types.TimestampType.withZone(), "the Kafka record's timestamp"));

    public static final PartitionSpec SPEC = PartitionSpec.builderFor(SCHEMA).day("time").identity("type").build();

    private AuditTable() {
    }

    /** The row the sink writes for {@code event}. */
    public static Map<String, Object> toRow(CloudEvent event, JournalTable.Position position) {
        Map<String, Object> row = new LinkedHashMap<>();
        JsonNode data = event.data();
        row.put("id", event.id());
        row.put("source", event.source());
        row.put("type", event.type());
        row.put("subject", event.subject());
        row.put("time", JournalTable.timestamp(event.time()));
        row.put("specversion", event.specversion());
        row.put("datacontenttype", event.datacontenttype());
        row.put("dataschema", event.dataschema());
        row.put("bucket", text(data, "bucket"));
        row.put("key", text(data, "key"));
        row.put("version_id", text(data, "versionId"));
        JsonNode size = data == null ? null : data.get("size");
        row.put("size", size != null && size.canConvertToLong() ? size.asLong() : null);
        row.put("requester", text(data, "requester"));
        row.put("actor", text(data, "actor"));
        row.put("link_id", text(data, "linkId"));
        row.put("data", data == null || data.isNull() ? null : Json.writeString(data));
        JournalTable.putPosition(row, position);
        return row;
    }

    private static String text(JsonNode data, String field) {
        JsonNode value = data == null ? null : data.get(field);
        return value == null || value.isNull() ? null : value.isValueNode() ? value.asText() : value.toString();
    }
}
