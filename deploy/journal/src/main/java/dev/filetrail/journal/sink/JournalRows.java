package dev.filetrail.journal.sink;

import dev.filetrail.events.Topics;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.journal.table.JournalTable;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * A Connect transformation that turns a record of {@code filetrail.object-events.v1} (raw bytes) into its journal
 * row: decoded with Filetrail's own codec, so the journal reads exactly what the services read, with the record's
 * partition, offset and timestamp added. A record that does not decode fails here, and Connect's error handling
 * sends it whole to the journal's dead-letter topic with the reason.
 */
public final class JournalRows implements Transformation<SinkRecord> {

    @Override
    public SinkRecord apply(SinkRecord record) {
        if (record.value() == null) {
            return null; // a tombstone carries no event; the event topic has none, but a null must not stop the sink
        }
        if (!(record.value() instanceof byte[] bytes)) {
            throw new DataException("journal rows need the raw value (ByteArrayConverter), got "
                    + record.value().getClass().getName());
        }
        ObjectEvent event;
        try {
            event = Topics.OBJECT_EVENTS.values().decode(bytes);
        } catch (RuntimeException e) {
            throw new DataException("not an ObjectEvent at " + record.topic() + "/" + record.kafkaPartition() + "@"
                    + record.kafkaOffset() + ": " + e.getMessage(), e);
        }
        Map<String, Object> row = JournalTable.toRow(event, new JournalTable.Position(record.kafkaPartition(),
                record.kafkaOffset(), record.timestamp() == null ? null : Instant.ofEpochMilli(record.timestamp())));
        return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(), null, row,
                record.timestamp());
    }

    @Override
    public ConfigDef config() {
        return new ConfigDef();
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }

    @Override
    public void close() {
    }
}
