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
 */
public record Endpoints(
        String api,
        String apiAdmin,
        String cloudFrontEdge,
        String s3,
        String sqs,
        String sns,
        String kafka,
        String postgres,
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
        String adminApiKey) {

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
        rows.put("Kafka", kafka);
        rows.put("PostgreSQL", postgres);
        rows.put("Bridge metrics", bridgeMetrics);
        rows.put("Streams metrics", streamsMetrics);
        rows.put("AWS credentials", accessKeyId + " / " + secretAccessKey + " (" + region + ")");
        rows.put("Admin API key", adminApiKey);
        return rows;
    }
}
