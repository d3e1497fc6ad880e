package dev.filetrail.journal.sink;

import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.journal.JournalConfig;
import dev.filetrail.journal.table.JournalTables;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The configuration of the {@code filetrail-journal} connector: Iceberg's sink writing {@code journal} from
 * {@code filetrail.object-events.v1}, with every group, transactional id and topic under the names the
 * {@link KafkaRole#JOURNAL} role is granted.
 */
public final class SinkConnector {
    /** The connector's name; Connect's own sink group is set to the same (not {@code connect-<name>}). */
    public static final String NAME = KafkaRole.JOURNAL_PREFIX;

    private SinkConnector() {
    }

    /** The connector's properties, the sink's own Kafka clients logging in as {@code kafka}. */
    public static Map<String, String> properties(JournalConfig config, KafkaClientSettings kafka, int tasks) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("name", NAME);
        c.put("connector.class", "org.apache.iceberg.connect.IcebergSinkConnector");
        c.put("tasks.max", String.valueOf(tasks));
        c.put("topics", Topics.OBJECT_EVENTS.name());
        c.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        c.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        c.put("transforms", "rows");
        c.put("transforms.rows.type", JournalRows.class.getName());
        // One bad record must not stop the journal: it goes whole to the dead-letter topic, the reason in headers.
        c.put("errors.tolerance", "all");
        c.put("errors.deadletterqueue.topic.name", KafkaRole.JOURNAL_DLQ_TOPIC);
        c.put("errors.deadletterqueue.topic.replication.factor", "1");
        c.put("errors.deadletterqueue.context.headers.enable", "true");
        c.put("errors.log.enable", "true");
        c.put("consumer.override.group.id", NAME);
        c.put("consumer.override.isolation.level", "read_committed");
        c.put("iceberg.connect.group-id", NAME);
        c.put("iceberg.tables", new JournalTables(config).journal().toString());
        c.put("iceberg.catalog", config.catalogName());
        config.catalogProperties().forEach((k, v) -> c.put("iceberg.catalog." + k, v));
        c.put("iceberg.control.topic", KafkaRole.JOURNAL_CONTROL_TOPIC);
        c.put("iceberg.control.group-id-prefix", NAME + "-control-");
        c.put("iceberg.coordinator.transactional.prefix", NAME + "-");
        c.put("iceberg.control.commit.interval-ms", String.valueOf(config.commitIntervalMs()));
        c.put("iceberg.control.commit.timeout-ms", String.valueOf(Math.max(10_000, config.commitIntervalMs() / 2)));
        // An embedded worker's sink cannot find the worker's properties (it looks for a connect-*.properties file on
        // the JVM's command line), so its control-topic clients get the login explicitly.
        kafka.connectionProperties().forEach((k, v) -> c.put("iceberg.kafka." + k, String.valueOf(v)));
        return c;
    }
}
