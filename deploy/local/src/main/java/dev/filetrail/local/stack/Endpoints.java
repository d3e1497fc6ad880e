package dev.filetrail.local.stack;

import dev.filetrail.events.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where each part of a running local stack listens, printed at start and written to {@code endpoints.json}.
 *
 * @param apiAdmin the query API's admin port: {@code /health}, {@code /ready}, {@code /metrics}
 * @param postgresShards the read model's shards (READ_MODEL_SHARDS), shard i the i-th; {@code postgres} is shard 0
 * @param lambda   the Lambda API (asynchronous Invoke of the two processors, for {@code filetrail reprocess})
 */
public record Endpoints(
        String api,
        String apiAdmin,
        String cloudFrontEdge,
        String s3,
        String sqs,
        String sns,
        String lambda,
        String kafka,
        String postgres,
        java.util.List<String> postgresShards,
        String bridgeMetrics,
        String streamsMetrics,
        String region,
        String accessKeyId,
        String secretAccessKey,
        String sourceBucket,
        String derivativesBucket,
        String objectEventsTopicArn,
        String processingResultsTopicArn,
        String ingestQueueUrl,
        String ingestDlqUrl,
        String adminApiKey,
        KafkaSecurity kafkaSecurity,
        Journal journal) {

    /**
     * The journal's Iceberg tables ({@code null} when {@code LOCAL_JOURNAL=off}): the JDBC catalog (in the local
     * PostgreSQL), the warehouse in the local S3, the namespace and its tables, and the sink's commit interval.
     */
    public record Journal(String catalogName, String catalogUrl, String catalogUser, String catalogPassword,
                          String warehouse, String namespace, java.util.List<String> tables, long commitIntervalMs) {
    }

    /**
     * How to log in to the local Kafka: per role wire name ({@code bridge}, …, {@code audit-reader}), a user;
     * {@code alsoAccepted} lists mechanisms the broker takes besides {@code mechanism} with the same users (PLAIN,
     * for librdkafka tools older than 2.6.1 whose SCRAM Kafka 4 refuses).
     */
    public record KafkaSecurity(String protocol, String mechanism, java.util.List<String> alsoAccepted,
                                Map<String, User> users) {
        /** An open broker ({@code LOCAL_KAFKA_AUTH=none}): PLAINTEXT, no users. */
        public static KafkaSecurity open() {
            return new KafkaSecurity("PLAINTEXT", null, java.util.List.of(), Map.of());
        }
    }

    /** One SCRAM user. */
    public record User(String username, String password) {
    }

    public Path write(Path dir) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("endpoints.json");
            Files.writeString(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(this) + "\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write endpoints.json into " + dir, e);
        }
    }

    public static Endpoints read(Path file) {
        try {
            return Json.read(Files.readString(file), Endpoints.class);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    /** The table printed at start: name and address, one a line. */
    public Map<String, String> table() {
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("Query API", api);
        rows.put("Query API admin", apiAdmin + "  (/health, /ready, /metrics)");
        rows.put("CloudFront edge", cloudFrontEdge);
        rows.put("S3", s3 + "  (buckets " + sourceBucket + ", " + derivativesBucket + ")");
        rows.put("SQS", ingestQueueUrl + "  (DLQ " + ingestDlqUrl + ")");
        rows.put("SNS", sns + "  (topics " + objectEventsTopicArn + ", " + processingResultsTopicArn + ")");
        rows.put("Lambda", lambda + "  (Invoke of filetrail-thumbnailer, filetrail-metadata)");
        rows.put("Kafka", kafka + (kafkaSecurity.mechanism() == null ? "  (open: no login, no ACLs)"
                : "  (" + kafkaSecurity.protocol() + " " + kafkaSecurity.mechanism() + ", one user per role: "
                        + String.join(", ", kafkaSecurity.users().keySet()) + "; passwords in endpoints.json)"));
        rows.put("PostgreSQL", postgres);
        if (postgresShards != null && postgresShards.size() > 1) {
            rows.put("Read-model shards", String.join(", ", postgresShards));
        }
        rows.put("Bridge metrics", bridgeMetrics);
        rows.put("Streams metrics", streamsMetrics);
        rows.put("AWS credentials", accessKeyId + " / " + secretAccessKey + " (" + region + ")");
        if (journal != null) {
            rows.put("Journal", "Iceberg tables " + journal.namespace() + "." + String.join(", ", journal.tables())
                    + " in " + journal.warehouse() + " (catalog in PostgreSQL; query: filetrail sql \"SELECT ...\")");
        }
        rows.put("Admin API key", adminApiKey);
        return rows;
    }
}
