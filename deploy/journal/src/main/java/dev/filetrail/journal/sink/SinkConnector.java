package dev.filetrail.journal.sink;

import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.journal.JournalConfig;
import dev.filetrail.journal.table.AuditTable;
import dev.filetrail.journal.table.InventoryTable;
import dev.filetrail.journal.table.JournalTable;
import dev.filetrail.journal.table.ProcessingResultsTable;
import dev.filetrail.journal.table.ShareCommandsTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The configuration of the {@code filetrail-journal} connector: Iceberg's sink writing {@code journal},
 * {@code audit}, {@code inventory_changes}, {@code processing_results} and {@code share_commands} from
 * {@code filetrail.object-events.v1}, {@code filetrail.audit.v1}, {@code filetrail.files.v1},
 * {@code filetrail.processing-results.v1} and {@code filetrail.share-commands.v1}, with every group, transactional id and topic under the names the
 * {@link KafkaRole#JOURNAL} role is granted.
 */
public final class SinkConnector {
    /** The connector's name; Connect's own sink group is set to the same (not {@code connect-<name>}). */
    public static final String NAME = KafkaRole.JOURNAL_PREFIX;

    /**
     * {@link JournalRows}' class name, as text: loading the class needs Connect's API, which the CDK app building
     * these properties does not have.
     */
    public static final String TRANSFORMATION = "dev.filetrail.journal.sink.JournalRows";

    /** The tables the connector writes, each from one of its {@link Sources}. */
    public static final List<String> TABLES = List.of(JournalTable.NAME, AuditTable.NAME, InventoryTable.CHANGES,
            ProcessingResultsTable.NAME, ShareCommandsTable.NAME);

    private SinkConnector() {
    }

    /** The topics the connector journals, one per table; {@link #FILETRAIL} is Filetrail's own. */
    public record Sources(String journal, String audit, String inventory, String processingResults,
                          String shareCommands) {
        /** filetrail.object-events.v1, filetrail.audit.v1, filetrail.files.v1, processing-results, share-commands. */
        public static final Sources FILETRAIL = new Sources(Topics.OBJECT_EVENTS.name(), Topics.AUDIT.name(),
                Topics.FILES.name(), Topics.PROCESSING_RESULTS.name(), Topics.SHARE_COMMANDS.name());

        /** The topics in the order of {@link #TABLES}. */
        public List<String> topics() {
            return List.of(journal, audit, inventory, processingResults, shareCommands);
        }
    }

    /** The connector's properties, the sink's own Kafka clients logging in as {@code kafka}. */
    public static Map<String, String> properties(JournalConfig config, KafkaClientSettings kafka, int tasks) {
        return properties(NAME, Sources.FILETRAIL, config, kafka, tasks);
    }

    /**
     * The properties of connector {@code name} (its groups and transactional ids are named after it, so it must start
     * with {@link KafkaRole#JOURNAL_PREFIX}) journalling {@code sources} into the tables of {@code config}'s namespace.
     */
    public static Map<String, String> properties(String name, Sources sources, JournalConfig config,
                                                 KafkaClientSettings kafka, int tasks) {
        if (!name.startsWith(KafkaRole.JOURNAL_PREFIX)) {
            throw new IllegalArgumentException("a journal connector's name starts with " + KafkaRole.JOURNAL_PREFIX
                    + " (its groups and transactional ids are granted by that prefix), was " + name);
        }
        Map<String, String> c = new LinkedHashMap<>();
        c.put("name", name);
        c.put("connector.class", "org.apache.iceberg.connect.IcebergSinkConnector");
        c.put("tasks.max", String.valueOf(tasks));
        c.put("topics", String.join(",", sources.topics()));
        c.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        c.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        c.put("transforms", "rows");
        c.put("transforms.rows.type", TRANSFORMATION);
        c.put("transforms.rows." + JournalRows.JOURNAL_TOPIC, sources.journal());
        c.put("transforms.rows." + JournalRows.AUDIT_TOPIC, sources.audit());
        c.put("transforms.rows." + JournalRows.INVENTORY_TOPIC, sources.inventory());
        c.put("transforms.rows." + JournalRows.PROCESSING_RESULTS_TOPIC, sources.processingResults());
        c.put("transforms.rows." + JournalRows.SHARE_COMMANDS_TOPIC, sources.shareCommands());
        // One bad record must not stop the journal: it goes whole to the dead-letter topic, the reason in headers.
        c.put("errors.tolerance", "all");
        c.put("errors.deadletterqueue.topic.name", KafkaRole.JOURNAL_DLQ_TOPIC);
        c.put("errors.deadletterqueue.topic.replication.factor", "1");
        c.put("errors.deadletterqueue.context.headers.enable", "true");
        c.put("errors.log.enable", "true");
        c.put("consumer.override.group.id", name);
        c.put("consumer.override.isolation.level", "read_committed");
        c.put("iceberg.connect.group-id", name);
        // Each row names its table (JournalRows.ROUTE_FIELD); without a route field the sink writes every record to
        // every table. Plain strings here (no Iceberg class), so the CDK app can build the same properties.
        List<String> tables = TABLES.stream().map(t -> config.namespace() + "." + t).toList();
        c.put("iceberg.tables", String.join(",", tables));
        c.put("iceberg.tables.route-field", JournalRows.ROUTE_FIELD);
        for (int i = 0; i < tables.size(); i++) {
            c.put("iceberg.table." + tables.get(i) + ".route-regex", Pattern.quote(TABLES.get(i)));
        }
        c.put("iceberg.catalog", config.catalogName());
        config.catalogProperties().forEach((k, v) -> c.put("iceberg.catalog." + k, v));
        c.put("iceberg.control.topic", KafkaRole.JOURNAL_CONTROL_TOPIC);
        c.put("iceberg.control.group-id-prefix", name + "-control-");
        c.put("iceberg.coordinator.transactional.prefix", name + "-");
        c.put("iceberg.control.commit.interval-ms", String.valueOf(config.commitIntervalMs()));
        c.put("iceberg.control.commit.timeout-ms", String.valueOf(Math.max(10_000, config.commitIntervalMs() / 2)));
        // An embedded worker's sink cannot find the worker's properties (it looks for a connect-*.properties file on
        // the JVM's command line), so its control-topic clients get the login explicitly.
        kafka.connectionProperties().forEach((k, v) -> c.put("iceberg.kafka." + k, String.valueOf(v)));
        return c;
    }
}
