package dev.filetrail.journal.table;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import dev.filetrail.events.share.ShareCommand;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

/**
 * The {@code share_commands} table: one row per record of {@code filetrail.share-commands.v1} (share links created
 * and revoked through the API), typed, plus the record itself, from which a restore writes it back byte for byte and
 * the streams rebuild the share links. The token and password hashes are no typed columns (a query has no use for
 * them); {@code record_value} holds them as the topic does, so the warehouse is as sensitive as the topic.
 * Partitioned by day of {@code issued_at}.
 */
public final class ShareCommandsTable {
    /** The table's name in the journal namespace. */
    public static final String NAME = "share_commands";

    public static final Schema SCHEMA = new Schema(
            optional(1, "command_id", Types.StringType.get(), "ShareCommand.commandId"),
            optional(2, "type", Types.StringType.get(), "CREATE, REVOKE (RECORD_ACCESS, URL_ISSUED in old logs)"),
            optional(3, "link_id", Types.StringType.get()),
            optional(4, "bucket", Types.StringType.get()),
            optional(5, "key", Types.StringType.get(), "the decoded object key"),
            optional(6, "version_id", Types.StringType.get(), "the shared version; null: the current one"),
            optional(7, "expires_at", Types.TimestampType.withZone()),
            optional(8, "has_password", Types.BooleanType.get(), "the link asks for a password"),
            optional(9, "allow_download", Types.BooleanType.get()),
            optional(10, "actor", Types.StringType.get(), "the API caller"),
            optional(11, "client_address", Types.StringType.get()),
            optional(12, "issued_at", Types.TimestampType.withZone()),
            optional(13, "record_key", Types.StringType.get(), "the Kafka record's key, bucket/key"),
            optional(14, "record_value", Types.StringType.get(), "the record's value, the JSON exactly as written"),
            required(15, "kafka_partition", Types.IntegerType.get()),
            required(16, "kafka_offset", Types.LongType.get()),
            optional(17, "kafka_timestamp", Types.TimestampType.withZone(), "the Kafka record's timestamp"));

    public static final PartitionSpec SPEC = PartitionSpec.builderFor(SCHEMA).day("issued_at").build();

    private ShareCommandsTable() {
    }

    /** The row the sink writes for {@code command}, kept with the record's own key and value. */
    public static Map<String, Object> toRow(ShareCommand command, KeptRecord.Source source,
                                            JournalTable.Position position) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("command_id", command.commandId());
        row.put("type", command.type() == null ? null : command.type().name());
        row.put("link_id", command.linkId());
        row.put("bucket", command.bucket());
        row.put("key", command.key());
        row.put("version_id", command.versionId());
        row.put("expires_at", JournalTable.timestamp(command.expiresAt()));
        row.put("has_password", command.passwordHash() != null && !command.passwordHash().isEmpty());
        row.put("allow_download", command.allowDownload());
        row.put("actor", command.actor());
        row.put("client_address", command.clientAddress());
        row.put("issued_at", JournalTable.timestamp(command.issuedAt()));
        KeptRecord.put(row, source);
        JournalTable.putPosition(row, position);
        return row;
    }
}
