package dev.filetrail.journal.sink;

import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.journal.JournalConfig;
import dev.filetrail.journal.table.JournalTables;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.catalog.Catalog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The journal running: its tables made sure of, a Connect worker with the Iceberg sink connector started. */
public final class JournalSink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JournalSink.class);
    private final ConnectWorker worker;
    private final String name;

    private JournalSink(ConnectWorker worker, String name) {
        this.worker = worker;
        this.name = name;
    }

    /**
     * The operator's step, done by an admin of the ops role: the control topic (one partition, as the coordinator
     * reads it whole) and the dead-letter topic. Existing topics are left as they are.
     */
    public static void createTopics(Admin admin, short replicationFactor) {
        try {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = List.of(
                    new NewTopic(KafkaRole.JOURNAL_CONTROL_TOPIC, 1, replicationFactor),
                    new NewTopic(KafkaRole.JOURNAL_DLQ_TOPIC, 1, replicationFactor)
                            .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1")))
                    .stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                log.info("journal topics created topics={}", missing.stream().map(NewTopic::name).toList());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the journal's topics: " + e.getMessage(), e);
        }
    }

    /** Creates the tables if missing, starts a worker logged in as {@code kafka} and the connector with {@code tasks}. */
    public static JournalSink start(JournalConfig config, KafkaClientSettings kafka, int tasks) {
        return start(SinkConnector.NAME, SinkConnector.Sources.FILETRAIL, config, kafka, tasks);
    }

    /** As {@link #start(JournalConfig, KafkaClientSettings, int)}, connector {@code name} journalling {@code sources}. */
    public static JournalSink start(String name, SinkConnector.Sources sources, JournalConfig config,
                                    KafkaClientSettings kafka, int tasks) {
        Catalog catalog = config.catalog();
        try {
            new JournalTables(config).ensure(catalog);
        } finally {
            JournalConfig.close(catalog);
        }
        ConnectWorker worker = ConnectWorker.start(kafka);
        try {
            worker.put(SinkConnector.properties(name, sources, config, kafka, tasks), Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            worker.close();
            throw e;
        }
        log.info("journal sink started connector={} config={}", name, config);
        return new JournalSink(worker, name);
    }

    public ConnectWorker worker() {
        return worker;
    }

    /** The connector's state, with a failed task's trace. */
    public String describe() {
        return worker.describe(name);
    }

    @Override
    public void close() {
        worker.close();
    }
}
