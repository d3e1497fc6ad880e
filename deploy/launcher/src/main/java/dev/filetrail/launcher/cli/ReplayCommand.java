package dev.filetrail.launcher.cli;

import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.events.kafka.TopicSetup;
import dev.filetrail.streams.replay.TopicReplay;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code filetrail replay}: re-emits a time window of one topic into another. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Copies the records of --topic whose timestamps fall in [--from, --to] into --into, keeping key, "
                + "value, headers, timestamp (and partition, when both topics have as many), e.g. to refill an audit "
                + "consumer that lost data.",
                "With --from-journal: rebuilds an event topic from the journal's Iceberg table instead (e.g. after the "
                        + "cluster was lost): the canonical records, byte for byte, in their original partitions and order; "
                        + "--from/--to then bound the events' time, and --into must be empty. --table processing_results "
                        + "or share_commands rebuilds those topics the same way (--from/--to bound the records' Kafka "
                        + "timestamps).",
                "Times: ISO-8601 (2025-01-31T12:00:00Z), a date (UTC), epoch ms, now, or an age (15m, 2h, 7d).",
                "Configured by KAFKA_BOOTSTRAP_SERVERS, KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_* (the ops role: both topics "
                        + "must start with filetrail.), and TOPIC_REPLICATION_FACTOR for --create-target."})
final class ReplayCommand extends OpsCommand {
    @Option(names = "--topic", description = "The topic to read (or --from-journal).")
    String topic;

    @Option(names = "--from-journal", description = "Read the journal's Iceberg table (JOURNAL_* variables, see "
            + "filetrail sql) instead of a topic.")
    boolean fromJournal;

    @Option(names = "--table", defaultValue = "journal", description = "With --from-journal: the table to restore "
            + "from: journal (default; filetrail.object-events.v1), processing_results "
            + "(filetrail.processing-results.v1) or share_commands (filetrail.share-commands.v1).")
    String table;

    @Option(names = "--from", converter = TimeArgument.class, description = "Start of the window (inclusive; "
            + "required with --topic).")
    Instant from;

    @Option(names = "--to", converter = TimeArgument.class, description = "End of the window (inclusive; default: now).")
    Instant to;

    @Option(names = "--into", required = true, description = "The topic to write; it must differ from --topic.")
    String into;

    @Option(names = "--create-target", description = "Create --into, with --topic's partition count, when it is missing.")
    boolean createTarget;

    @Option(names = "--dry-run", description = "Count what would be copied, write nothing.")
    boolean dryRun;

    /** The summary as printed. */
    record Result(String topic, String into, Instant from, Instant to, boolean dryRun, boolean targetCreated,
                  long scanned, long copied, Map<Integer, Long> copiedByPartition, boolean partitionsKept,
                  double seconds) {
    }

    /** The summary of a replay from the journal, as printed. */
    record JournalResult(String table, String into, Instant from, Instant to, boolean dryRun, boolean targetCreated, long rows,
                         long written, Map<Integer, Long> writtenByPartition, boolean partitionsKept, double seconds) {
    }

    @Override
    public Integer call() throws Exception {
        KafkaClientSettings kafka = KafkaClientSettings.fromEnvironment(env);
        if (fromJournal == (topic != null)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "give exactly one source: --topic <name> or --from-journal");
        }
        if (fromJournal) {
            return fromJournal(kafka);
        }
        if (from == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--from is required with --topic");
        }
        if (topic.equals(into)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--into must differ from --topic: replaying " + topic + " into itself would duplicate it");
        }
        boolean created = false;
        try (Admin admin = kafka.newAdmin()) {
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            if (!topics.contains(topic)) {
                throw new IllegalArgumentException("topic " + topic + " does not exist");
            }
            if (!topics.contains(into)) {
                if (!createTarget) {
                    throw new IllegalArgumentException("topic " + into + " does not exist (add --create-target to create it)");
                }
                if (dryRun) {
                    // TopicReplay describes the target even in a dry run, and a dry run must not create it.
                    throw new IllegalArgumentException("topic " + into + " does not exist and a dry run does not create "
                            + "it: run without --dry-run (with --create-target), or create it first");
                }
                int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(topic).partitions().size();
                TopicSetup setup = TopicSetup.fromEnvironment(env::get);
                // Replayed records keep their original timestamps: the new topic keeps the source's retention, or Kafka
                // would delete a window replayed from months ago at its next retention check.
                Map<String, String> configs = keptConfigs(admin, topic);
                configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(setup.minInsyncReplicas()));
                admin.createTopics(List.of(new NewTopic(into, partitions, setup.replicationFactor()).configs(configs)))
                        .all().get(30, TimeUnit.SECONDS);
                created = true;
            }
        }
        TopicReplay.Summary summary;
        try (ProgressBar bar = progress("replay " + topic, -1, "records")) {
            long[] copiedSoFar = {0};
            summary = new TopicReplay(kafka).replay(
                    new TopicReplay.Request(topic, from, to, into, dryRun),
                    p -> {
                        if (p.partitionDone()) {
                            copiedSoFar[0] += p.copied();
                        }
                        bar.update(copiedSoFar[0] + (p.partitionDone() ? 0 : p.copied()), "partition " + p.partition());
                    });
            bar.finish(summary.copied(), dryRun ? "dry run" : "done");
        }
        boolean targetCreated = created;
        Result result = new Result(topic, into, from, to, dryRun, targetCreated, summary.scanned(), summary.copied(),
                summary.copiedByPartition(), summary.partitionsKept(), seconds(summary.elapsed().toNanos()));
        print(result, out -> {
            out.printf("Replay of %s [%s .. %s] into %s%s%n", topic, from, to == null ? "now" : to, into,
                    dryRun ? " (dry run)" : "");
            if (targetCreated) {
                out.printf("  created topic    %s%n", into);
            }
            out.printf("  records scanned  %,d%n", result.scanned());
            out.printf("  records copied   %,d%s%n", result.copied(), dryRun ? " (dry run: would copy)" : "");
            out.printf("  partitions kept  %s%n", result.partitionsKept() ? "yes" : "no (partition counts differ)");
            out.printf("  took             %.1f s%n", result.seconds());
        });
        return OK;
    }

    /** The topic each restorable table was journalled from: its definition is what --create-target creates. */
    private static final Map<String, String> TABLE_TOPICS = Map.of(
            dev.filetrail.journal.table.JournalTable.NAME, dev.filetrail.events.Topics.OBJECT_EVENTS.name(),
            dev.filetrail.journal.table.ProcessingResultsTable.NAME, dev.filetrail.events.Topics.PROCESSING_RESULTS.name(),
            dev.filetrail.journal.table.ShareCommandsTable.NAME, dev.filetrail.events.Topics.SHARE_COMMANDS.name());

    private Integer fromJournal(KafkaClientSettings kafka) throws Exception {
        String source = TABLE_TOPICS.get(table);
        if (source == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--table must be one of "
                    + new java.util.TreeSet<>(TABLE_TOPICS.keySet()) + ", was '" + table + "'");
        }
        boolean created = false;
        try (Admin admin = kafka.newAdmin()) {
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            if (!topics.contains(into)) {
                if (!createTarget || dryRun) {
                    throw new IllegalArgumentException("topic " + into + " does not exist (add --create-target to create "
                            + "it, without --dry-run)");
                }
                // the source topic's contract: its partitions, retention (forever) and limits
                admin.createTopics(List.of(TopicSetup.fromEnvironment(env::get)
                        .definitionAs(source, into))).all().get(30, TimeUnit.SECONDS);
                created = true;
            } else {
                long records = records(admin, into);
                if (records > 0) {
                    throw new IllegalArgumentException("topic " + into + " already holds " + records + " records: a "
                            + "restore from the journal writes into an empty topic only, or it would duplicate them");
                }
            }
        }
        long started = System.nanoTime();
        var reader = new dev.filetrail.journal.read.JournalReader(
                dev.filetrail.journal.JournalConfig.fromEnvironment(env).withComponent("ops"));
        var restore = new dev.filetrail.journal.read.JournalRestore(kafka);
        int rowCount;
        dev.filetrail.journal.read.JournalRestore.Summary summary;
        if (table.equals(dev.filetrail.journal.table.JournalTable.NAME)) {
            var rows = reader.read(from, to);
            rowCount = rows.size();
            summary = dryRun ? null : restore.restore(rows, into);
        } else {
            var rows = reader.readKept(table, from, to);
            rowCount = rows.size();
            summary = dryRun ? null : restore.restoreRecords(rows, into);
        }
        JournalResult result = new JournalResult(table, into, from, to, dryRun, created, rowCount,
                summary == null ? 0 : summary.written(), summary == null ? Map.of() : summary.writtenByPartition(),
                summary == null || summary.partitionsKept(), seconds(System.nanoTime() - started));
        print(result, out -> {
            out.printf("Replay of the journal's %s [%s .. %s] into %s%s%n", table, from == null ? "start" : from,
                    to == null ? "end" : to, into, dryRun ? " (dry run)" : "");
            if (result.targetCreated()) {
                out.printf("  created topic    %s%n", into);
            }
            out.printf("  table rows       %,d%n", result.rows());
            out.printf("  records written  %,d%s%n", result.written(), dryRun ? " (dry run: none)" : "");
            out.printf("  partitions kept  %s%n", result.partitionsKept() ? "yes" : "no (the target has fewer partitions)");
            out.printf("  took             %.1f s%n", result.seconds());
        });
        return OK;
    }

    private static long records(Admin admin, String topic) throws Exception {
        int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                .partitions().size();
        Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new java.util.HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new org.apache.kafka.common.TopicPartition(topic, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
        }
        return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream().mapToLong(o -> o.offset()).sum();
    }

    /** The source topic's retention and cleanup settings, for a target that must keep what is copied into it. */
    private static java.util.Map<String, String> keptConfigs(org.apache.kafka.clients.admin.Admin admin, String topic)
            throws Exception {
        org.apache.kafka.common.config.ConfigResource resource =
                new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
        org.apache.kafka.clients.admin.Config config = admin.describeConfigs(List.of(resource)).all()
                .get(30, TimeUnit.SECONDS).get(resource);
        java.util.Map<String, String> kept = new java.util.HashMap<>();
        for (String name : List.of("retention.ms", "retention.bytes", "cleanup.policy", "max.message.bytes")) {
            org.apache.kafka.clients.admin.ConfigEntry entry = config.get(name);
            if (entry != null && entry.value() != null) {
                kept.put(name, entry.value());
            }
        }
        return kept;
    }
}
