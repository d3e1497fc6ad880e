package dev.filetrail.local.stack;

import java.nio.file.Path;
import java.util.Map;

/**
 * Configuration of the whole local stack: one port per part (0 picks a free one, as the tests do), where to write
 * {@code endpoints.json}, an optional external PostgreSQL, whether Kafka enforces roles ({@code LOCAL_KAFKA_AUTH}), and
 * whether the journal (a Connect worker with Iceberg's sink) runs ({@code LOCAL_JOURNAL}) and how often it commits,
 * and how many read-model shards ({@code LOCAL_READ_MODEL_SHARDS}, each an embedded PostgreSQL server) it starts.
 */
public record LocalStackConfig(
        int apiPort,
        int apiAdminPort,
        int edgePort,
        int s3Port,
        int sqsPort,
        int snsPort,
        int lambdaPort,
        int kafkaPort,
        int postgresPort,
        String externalDatabaseUrl,
        String externalDatabaseUser,
        String externalDatabasePassword,
        Path outputDir,
        String sourceBucket,
        String derivativesBucket,
        int topicPartitions,
        boolean kafkaSecured,
        boolean journal,
        long journalCommitIntervalMs,
        int readModelShards) {

    public LocalStackConfig {
        if (readModelShards < 1) {
            throw new IllegalArgumentException("LOCAL_READ_MODEL_SHARDS must be at least 1, got " + readModelShards);
        }
        if (readModelShards > 1 && externalDatabaseUrl != null && !externalDatabaseUrl.isBlank()) {
            throw new IllegalArgumentException("LOCAL_READ_MODEL_SHARDS=" + readModelShards + " starts embedded "
                    + "PostgreSQL servers; it cannot be combined with LOCAL_DATABASE_URL");
        }
        if (topicPartitions % readModelShards != 0) {
            throw new IllegalArgumentException("LOCAL_READ_MODEL_SHARDS=" + readModelShards + " must divide "
                    + "TOPIC_PARTITIONS=" + topicPartitions + " (a shard is the partitions p with p mod N = shard)");
        }
    }

    /** The local journal commits every 10 s (the connector's own default is 60 s), so the demo shows rows soon. */
    public static final long LOCAL_JOURNAL_COMMIT_INTERVAL_MS = 10_000;

    public static final String OBJECT_EVENTS_TOPIC = "filetrail-object-events";
    public static final String PROCESSING_RESULTS_TOPIC = "filetrail-processing-results";
    public static final String INGEST_QUEUE = "filetrail-ingest";

    /** The defaults of ARCHITECTURE.md, each overridable by an environment variable. */
    public static LocalStackConfig fromEnvironment(Map<String, String> env, Path workingDir) {
        return new LocalStackConfig(
                intOf(env, "LOCAL_API_PORT", 8080),
                intOf(env, "LOCAL_API_ADMIN_PORT", 9090),
                intOf(env, "LOCAL_EDGE_PORT", 8081),
                intOf(env, "LOCAL_S3_PORT", 9000),
                intOf(env, "LOCAL_SQS_PORT", 9324),
                intOf(env, "LOCAL_SNS_PORT", 9911),
                intOf(env, "LOCAL_LAMBDA_PORT", 9912),
                intOf(env, "LOCAL_KAFKA_PORT", 9092),
                intOf(env, "LOCAL_POSTGRES_PORT", 5433),
                env.get("LOCAL_DATABASE_URL"),
                env.getOrDefault("LOCAL_DATABASE_USER", "postgres"),
                env.getOrDefault("LOCAL_DATABASE_PASSWORD", "postgres"),
                Path.of(env.getOrDefault("LOCAL_OUTPUT_DIR", workingDir.resolve("target/local-stack").toString())),
                env.getOrDefault("SOURCE_BUCKET", "filetrail-local"),
                env.getOrDefault("DERIVATIVES_BUCKET", "filetrail-local-derivatives"),
                intOf(env, "TOPIC_PARTITIONS", 3),
                kafkaSecured(env.getOrDefault("LOCAL_KAFKA_AUTH", "scram")),
                onOff("LOCAL_JOURNAL", env.getOrDefault("LOCAL_JOURNAL", "on")),
                Long.parseLong(env.getOrDefault("JOURNAL_COMMIT_INTERVAL_MS",
                        String.valueOf(LOCAL_JOURNAL_COMMIT_INTERVAL_MS)).trim()),
                count(env, "LOCAL_READ_MODEL_SHARDS", 1));
    }

    private static boolean onOff(String name, String value) {
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "on", "true", "" -> true;
            case "off", "false" -> false;
            default -> throw new IllegalArgumentException(name + " must be on or off, not '" + value + "'");
        };
    }

    /** {@code scram} (default): the broker enforces roles and ACLs as MSK does; {@code none}: an open broker. */
    private static boolean kafkaSecured(String auth) {
        return switch (auth.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "scram", "" -> true;
            case "none" -> false;
            default -> throw new IllegalArgumentException("LOCAL_KAFKA_AUTH must be scram or none, not '" + auth + "'");
        };
    }

    /**
     * Every port 0 (free ones), output under {@code outputDir}, no journal: for tests and benchmarks beside a running
     * stack.
     */
    public static LocalStackConfig ephemeral(Path outputDir) {
        return new LocalStackConfig(0, 0, 0, 0, 0, 0, 0, 0, 0, null, "postgres", "postgres", outputDir,
                "filetrail-local", "filetrail-local-derivatives", 3, true, false, LOCAL_JOURNAL_COMMIT_INTERVAL_MS, 1);
    }

    /** The same stack with the journal running, committing every {@code commitIntervalMs}. */
    public LocalStackConfig withJournal(long commitIntervalMs) {
        return new LocalStackConfig(apiPort, apiAdminPort, edgePort, s3Port, sqsPort, snsPort, lambdaPort, kafkaPort,
                postgresPort,
                externalDatabaseUrl, externalDatabaseUser, externalDatabasePassword, outputDir, sourceBucket,
                derivativesBucket, topicPartitions, kafkaSecured, true, commitIntervalMs, readModelShards);
    }

    /** The same stack with the broker secured ({@code true}) or open: for comparing both in one benchmark run. */
    public LocalStackConfig withKafkaSecured(boolean secured) {
        return new LocalStackConfig(apiPort, apiAdminPort, edgePort, s3Port, sqsPort, snsPort, lambdaPort, kafkaPort,
                postgresPort,
                externalDatabaseUrl, externalDatabaseUser, externalDatabasePassword, outputDir, sourceBucket,
                derivativesBucket, topicPartitions, secured, journal, journalCommitIntervalMs, readModelShards);
    }

    /** The same stack with {@code partitions} partitions per topic ({@code TOPIC_PARTITIONS}). */
    public LocalStackConfig withTopicPartitions(int partitions) {
        return new LocalStackConfig(apiPort, apiAdminPort, edgePort, s3Port, sqsPort, snsPort, lambdaPort, kafkaPort,
                postgresPort,
                externalDatabaseUrl, externalDatabaseUser, externalDatabasePassword, outputDir, sourceBucket,
                derivativesBucket, partitions, kafkaSecured, journal, journalCommitIntervalMs, readModelShards);
    }

    /** The same stack with {@code shards} read-model shards, each its own embedded PostgreSQL server. */
    public LocalStackConfig withReadModelShards(int shards) {
        return new LocalStackConfig(apiPort, apiAdminPort, edgePort, s3Port, sqsPort, snsPort, lambdaPort, kafkaPort,
                postgresPort,
                externalDatabaseUrl, externalDatabaseUser, externalDatabasePassword, outputDir, sourceBucket,
                derivativesBucket, topicPartitions, kafkaSecured, journal, journalCommitIntervalMs, shards);
    }

    private static int count(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, not '" + value + "'", e);
        }
    }

    private static int intOf(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a port number, not '" + value + "'", e);
        }
    }
}
