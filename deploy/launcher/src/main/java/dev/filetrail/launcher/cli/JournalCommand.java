package dev.filetrail.launcher.cli;

import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.kafka.TopicSetup;
import dev.filetrail.journal.JournalConfig;
import dev.filetrail.journal.sink.JournalSink;
import dev.filetrail.journal.table.JournalTables;
import java.util.List;
import org.apache.iceberg.catalog.Catalog;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code filetrail journal}: the journal's topics and Iceberg tables. */
@Command(name = "journal", mixinStandardHelpOptions = true, description = "Sets up the journal (Iceberg tables).",
        subcommands = JournalCommand.Init.class)
final class JournalCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: init");
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Creates what the journal's connector needs and may not create itself: its control and "
                    + "dead-letter topics (as the ops role), and the namespace, the tables journal, audit, "
                    + "inventory_changes, processing_results and share_commands with Filetrail's schemas and, where the catalog holds views, the inventory "
                    + "view. What exists is left as it is. Run it once before the connector starts (in AWS: in the "
                    + "ops task, after `filetrail topics create`).",
                    "Configured by KAFKA_* (the ops role), TOPIC_REPLICATION_FACTOR, JOURNAL_CATALOG_TYPE (jdbc|glue), "
                            + "JOURNAL_CATALOG_URL/USER/PASSWORD (jdbc), JOURNAL_WAREHOUSE, JOURNAL_NAMESPACE, "
                            + "S3_ENDPOINT and AWS_*."})
    static final class Init extends OpsCommand {
        /** The summary as printed. */
        record Result(String catalog, String namespace, List<String> topics, String warehouse) {
        }

        @Override
        public Integer call() {
            KafkaClientSettings kafka = KafkaClientSettings.fromEnvironment(env);
            TopicSetup setup = TopicSetup.fromEnvironment(env::get);
            try (Admin admin = kafka.newAdmin()) {
                JournalSink.createTopics(admin, setup.replicationFactor());
            }
            JournalConfig config = JournalConfig.fromEnvironment(env).withComponent("ops");
            Catalog catalog = config.catalog();
            try {
                new JournalTables(config).ensure(catalog);
            } finally {
                JournalConfig.close(catalog);
            }
            Result result = new Result(config.catalogType() + ":" + config.catalogName(), config.namespace(),
                    List.of(KafkaRole.JOURNAL_CONTROL_TOPIC, KafkaRole.JOURNAL_DLQ_TOPIC), config.warehouse());
            print(result, out -> out.printf("Journal ready: topics %s; tables " + String.join(", ",
                    dev.filetrail.journal.sink.SinkConnector.TABLES) + " in %s "
                    + "(%s), warehouse %s%n", result.topics(), result.namespace(), result.catalog(), result.warehouse()));
            return OK;
        }
    }
}
