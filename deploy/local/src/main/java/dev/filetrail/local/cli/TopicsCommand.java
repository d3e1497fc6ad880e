package dev.filetrail.local.cli;

import dev.filetrail.events.TopicSetup;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
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
            description = {"Creates whichever of Filetrail's topics are missing, with the retention and compaction their "
                    + "contract states; existing topics are left exactly as they are. Run once per cluster (the AWS "
                    + "stack runs it as a one-off task); every service also does it at start.",
                    "Configured by KAFKA_BOOTSTRAP_SERVERS, TOPIC_PARTITIONS (6), TOPIC_REPLICATION_FACTOR (1), "
                            + "AUDIT_RETENTION_MS (-1: forever)."})
    static final class Create extends OpsCommand {
        @Option(names = "--dry-run", description = "List what would be created, create nothing.")
        boolean dryRun;

        /** The summary as printed. */
        record Result(String bootstrapServers, boolean dryRun, int partitions, short replicationFactor,
                      long auditRetentionMs, List<String> created, List<String> existing) {
        }

        @Override
        public Integer call() throws Exception {
            String bootstrap = env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
            int partitions = Integer.parseInt(env.getOrDefault("TOPIC_PARTITIONS", "6").trim());
            short replication = Short.parseShort(env.getOrDefault("TOPIC_REPLICATION_FACTOR", "1").trim());
            long retention = Long.parseLong(env.getOrDefault("AUDIT_RETENTION_MS", "-1").trim());
            TopicSetup setup = new TopicSetup(partitions, replication, retention);
            List<String> wanted = setup.definitions().stream().map(NewTopic::name).toList();
            Result result;
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                Set<String> before = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                List<String> existing = wanted.stream().filter(before::contains).toList();
                List<String> created = dryRun
                        ? wanted.stream().filter(t -> !before.contains(t)).toList()
                        : List.copyOf(setup.ensure(admin));
                result = new Result(bootstrap, dryRun, partitions, replication, retention, created, existing);
            }
            print(result, out -> {
                out.printf("Topics on %s (%d partitions, replication %d)%s%n", bootstrap, partitions, replication,
                        dryRun ? " (dry run)" : "");
                result.created().forEach(t -> out.printf("  %-10s %s%n", dryRun ? "would create" : "created", t));
                result.existing().forEach(t -> out.printf("  %-10s %s%n", "exists", t));
            });
            return OK;
        }
    }
}
