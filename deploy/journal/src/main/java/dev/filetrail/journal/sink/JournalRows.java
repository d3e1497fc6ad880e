package dev.filetrail.journal.sink;

import dev.filetrail.events.Topics;
import dev.filetrail.events.audit.CloudEvent;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.events.share.ShareCommand;
import dev.filetrail.journal.table.AuditTable;
import dev.filetrail.journal.table.InventoryTable;
import dev.filetrail.journal.table.JournalTable;
import dev.filetrail.journal.table.KeptRecord;
import dev.filetrail.journal.table.ProcessingResultsTable;
import dev.filetrail.journal.table.ShareCommandsTable;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * A Connect transformation that turns a record of a journalled topic (raw bytes) into its table's row: decoded with
 * Filetrail's own codec, so the journal reads exactly what the services read, with the record's partition, offset and
 * timestamp added, and the table it belongs to in {@link #ROUTE_FIELD} (the sink routes by it). A record that does not
 * decode fails here, and Connect's error handling sends it whole to the journal's dead-letter topic with the reason.
 */
public final class JournalRows implements Transformation<SinkRecord> {
    /** The row field naming the row's table; no table has such a column, so the sink writes it nowhere. */
    public static final String ROUTE_FIELD = "_filetrail_table";
    /** Settings naming the topic each table is written from (defaults: Filetrail's topics). */
    public static final String JOURNAL_TOPIC = "journal.topic";
    public static final String AUDIT_TOPIC = "audit.topic";
    public static final String INVENTORY_TOPIC = "inventory.topic";
    public static final String PROCESSING_RESULTS_TOPIC = "processing-results.topic";
    public static final String SHARE_COMMANDS_TOPIC = "share-commands.topic";

    private static final ConfigDef CONFIG = new ConfigDef()
            .define(JOURNAL_TOPIC, ConfigDef.Type.STRING, Topics.OBJECT_EVENTS.name(), ConfigDef.Importance.HIGH,
                    "topic of object events, written to the journal table")
            .define(AUDIT_TOPIC, ConfigDef.Type.STRING, Topics.AUDIT.name(), ConfigDef.Importance.HIGH,
                    "topic of audit CloudEvents, written to the audit table")
            .define(INVENTORY_TOPIC, ConfigDef.Type.STRING, Topics.FILES.name(), ConfigDef.Importance.HIGH,
                    "topic of file heads, appended to inventory_changes")
            .define(PROCESSING_RESULTS_TOPIC, ConfigDef.Type.STRING, Topics.PROCESSING_RESULTS.name(),
                    ConfigDef.Importance.HIGH, "topic of processing results, written to processing_results")
            .define(SHARE_COMMANDS_TOPIC, ConfigDef.Type.STRING, Topics.SHARE_COMMANDS.name(),
                    ConfigDef.Importance.HIGH, "topic of share commands, written to share_commands");

    private String journalTopic = Topics.OBJECT_EVENTS.name();
    private String auditTopic = Topics.AUDIT.name();
    private String inventoryTopic = Topics.FILES.name();
    private String processingResultsTopic = Topics.PROCESSING_RESULTS.name();
    private String shareCommandsTopic = Topics.SHARE_COMMANDS.name();

    @Override
    public SinkRecord apply(SinkRecord record) {
        JournalTable.Position position = new JournalTable.Position(record.kafkaPartition(), record.kafkaOffset(),
                record.timestamp() == null ? null : Instant.ofEpochMilli(record.timestamp()));
        String topic = record.topic();
        Map<String, Object> row;
        String table;
        if (topic.equals(inventoryTopic)) {
            table = InventoryTable.CHANGES;
            if (record.value() == null) {
                // a tombstone of the compacted topic: the object is gone, which the inventory must show
                if (!(record.key() instanceof String key)) {
                    throw new DataException("a tombstone without a bucket/key key at " + where(record));
                }
                try {
                    row = InventoryTable.goneRow(key, position);
                } catch (IllegalArgumentException e) {
                    throw new DataException(e.getMessage() + " at " + where(record), e);
                }
            } else {
                row = InventoryTable.toRow(decode(record, Topics.FILES.values()::decode, FileHead.class), position);
            }
        } else if (record.value() == null) {
            return null; // a tombstone on an event topic carries no fact; the topics have none, but it must not stop the sink
        } else if (topic.equals(journalTopic)) {
            table = JournalTable.NAME;
            row = JournalTable.toRow(decode(record, Topics.OBJECT_EVENTS.values()::decode, ObjectEvent.class), position);
        } else if (topic.equals(auditTopic)) {
            table = AuditTable.NAME;
            row = AuditTable.toRow(decode(record, Topics.AUDIT.values()::decode, CloudEvent.class), position);
        } else if (topic.equals(processingResultsTopic)) {
            table = ProcessingResultsTable.NAME;
            row = ProcessingResultsTable.toRow(decode(record, Topics.PROCESSING_RESULTS.values()::decode,
                    ProcessingResult.class), kept(record), position);
        } else if (topic.equals(shareCommandsTopic)) {
            table = ShareCommandsTable.NAME;
            row = ShareCommandsTable.toRow(decode(record, Topics.SHARE_COMMANDS.values()::decode, ShareCommand.class),
                    kept(record), position);
        } else {
            throw new DataException("no journal table for topic " + topic + " at " + where(record));
        }
        row.put(ROUTE_FIELD, table);
        return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(), null, row,
                record.timestamp());
    }

    private static <T> T decode(SinkRecord record, java.util.function.Function<byte[], T> codec, Class<T> type) {
        if (!(record.value() instanceof byte[] bytes)) {
            throw new DataException("journal rows need the raw value (ByteArrayConverter), got "
                    + record.value().getClass().getName());
        }
        try {
            T value = codec.apply(bytes);
            if (value == null) {
                throw new IllegalArgumentException("decodes to null");
            }
            return value;
        } catch (RuntimeException e) {
            String name = type.getSimpleName();
            throw new DataException("not " + ("AEIOU".indexOf(name.charAt(0)) >= 0 ? "an " : "a ") + name + " at " + where(record) + ": " + e.getMessage(), e);
        }
    }

    /** The record as a restore writes it back: its key and its value's exact bytes (decoded already, so bytes). */
    private static KeptRecord.Source kept(SinkRecord record) {
        if (record.key() != null && !(record.key() instanceof String)) {
            throw new DataException("journal rows need the key as text (StringConverter) at " + where(record));
        }
        try {
            return KeptRecord.Source.of((String) record.key(), (byte[]) record.value());
        } catch (IllegalArgumentException e) {
            throw new DataException(e.getMessage() + " at " + where(record), e);
        }
    }

    private static String where(SinkRecord record) {
        return record.topic() + "/" + record.kafkaPartition() + "@" + record.kafkaOffset();
    }

    @Override
    public ConfigDef config() {
        return CONFIG;
    }

    @Override
    public void configure(Map<String, ?> configs) {
        var parsed = new org.apache.kafka.common.config.AbstractConfig(CONFIG, configs);
        journalTopic = parsed.getString(JOURNAL_TOPIC);
        auditTopic = parsed.getString(AUDIT_TOPIC);
        inventoryTopic = parsed.getString(INVENTORY_TOPIC);
        processingResultsTopic = parsed.getString(PROCESSING_RESULTS_TOPIC);
        shareCommandsTopic = parsed.getString(SHARE_COMMANDS_TOPIC);
    }

    @Override
    public void close() {
    }
}
