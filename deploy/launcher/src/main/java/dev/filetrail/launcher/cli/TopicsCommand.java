package dev.filetrail.launcher.cli;

import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.events.kafka.TopicSetup;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code filetrail topics}: Filetrail's Kafka topics. */
@Command(name = "topics", mixinStandardHelpOptions = true, description = "Manages Filetrail's Kafka topics.",
        subcommands = TopicsCommand.Create.class)
final class TopicsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: create");
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Creates whichever of Filetrail's topics are missing, with their partitions, replication, "
                    + "min.insync.replicas (replication - 1, at least 1), retention and compaction; existing topics are "
                    + "compared with that and any drift is reported (exit 3), never changed. Run it as the ops role "
                    + "before the services start: services only check that their topics exist.",
                    "Configured by KAFKA_BOOTSTRAP_SERVERS, KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_* (the ops role), "
                            + "TOPIC_PARTITIONS (6), TOPIC_REPLICATION_FACTOR (1), AUDIT_RETENTION_MS (-1: forever), "
                            + "TOPIC_REMOTE_STORAGE (false; true: MSK tiered storage on the topics kept forever)."})
    static final class Create extends OpsCommand {
        @Option(names = "--dry-run", description = "List what would be created and what drifted, create nothing.")
        boolean dryRun;

        /** The summary as printed. */
        record Result(String bootstrapServers, boolean dryRun, int partitions, short replicationFactor,
                      int minInsyncReplicas, long auditRetentionMs, boolean remoteStorage, List<String> created,
                      List<String> existing, Map<String, List<String>> drift) {
        }

        @Override
        public Integer call() throws Exception {
            KafkaClientSettings kafka = KafkaClientSettings.fromEnvironment(env);
            TopicSetup setup = TopicSetup.fromEnvironment(env::get);
            TopicSetup.Report report;
            try (Admin admin = kafka.newAdmin()) {
                report = setup.ensure(admin, setup.definitions(), dryRun);
            }
            Result result = new Result(kafka.bootstrapServers(), dryRun, setup.partitions(), setup.replicationFactor(),
                    setup.minInsyncReplicas(), setup.auditRetentionMs(), setup.remoteStorage(), report.created(),
                    report.existing(), report.drift());
            print(result, out -> {
                out.printf("Topics on %s (%d partitions, replication %d, min.insync.replicas %d)%s%n",
                        kafka.bootstrapServers(), setup.partitions(), setup.replicationFactor(),
                        setup.minInsyncReplicas(), dryRun ? " (dry run)" : "");
                result.created().forEach(t -> out.printf("  %-12s %s%n", dryRun ? "would create" : "created", t));
                for (String topic : result.existing()) {
                    List<String> drift = result.drift().get(topic);
                    out.printf("  %-12s %s%s%n", drift == null ? "exists" : "DRIFTED", topic,
                            drift == null ? "" : ": " + String.join(", ", drift));
                }
                if (report.drifted()) {
                    out.println("  drifted topics are left as they are: change them by hand (kafka-configs, "
                            + "kafka-topics --alter) or recreate them");
                }
            });
            return report.drifted() ? FiletrailCommand.FOUND_DIFFERENCES : OK;
        }
    }
}
