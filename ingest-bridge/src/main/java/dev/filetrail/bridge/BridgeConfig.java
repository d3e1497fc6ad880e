package dev.filetrail.bridge;

import dev.filetrail.events.kafka.KafkaClientSettings;
import java.util.function.Function;

/**
 * Everything the ingest bridge (and its ops commands) needs, read once from the environment. Defaults point at
 * the local stack; tests build it with {@link #local()} and the {@code with…} copies.
 *
 * @param kafka                  KAFKA_BOOTSTRAP_SERVERS, KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*: the bridge role's login
 * @param sqsEndpoint            SQS endpoint URL; empty means the AWS default endpoint for {@code region}
 * @param s3Endpoint             S3 endpoint URL used by backfill; empty means the AWS default endpoint
 * @param kafkaDeliveryTimeoutMs how long one record may take to be acknowledged before its message counts as
 *                               failed (not deleted, retried later); bounds how long an outage can hide
 * @param retryBackoffMaxMs      cap of the exponential back-off after a failed batch
 * @param shutdownGraceSeconds   how long {@code close()} waits for in-flight batches before releasing them
 * @param kafkaLingerMs          how long the producer gathers records into one request; pollers do not wait for it
 * @param batchesInFlight        SQS batches one poller may have awaiting Kafka's acknowledgement while it receives
 * @param stuckAfterMs           how long messages may keep failing, with none going through, before /ready says 503
 */
public record BridgeConfig(
        KafkaClientSettings kafka,
        String sqsEndpoint,
        String s3Endpoint,
        String queueUrl,
        String region,
        String accessKey,
        String secretKey,
        int pollers,
        int batchSize,
        int waitTimeSeconds,
        int visibilityTimeoutSeconds,
        int metricsPort,
        int kafkaDeliveryTimeoutMs,
        long retryBackoffMaxMs,
        int shutdownGraceSeconds,
        int kafkaLingerMs,
        int batchesInFlight,
        long stuckAfterMs) {

    public static final String DEFAULT_QUEUE_URL = "http://127.0.0.1:9324/000000000000/filetrail-ingest";
    /**
     * Long enough that records of many SQS batches share a request (the broker's and the producer's cost is per
     * request and per partition batch, not per record), short beside the end-to-end latency budget; measured in
     * BENCHMARKS.md (ingest bridge).
     */
    public static final int DEFAULT_KAFKA_LINGER_MS = 20;
    /** Enough batches to keep receiving during the linger and the acks=all round trip that follow a send. */
    public static final int DEFAULT_BATCHES_IN_FLIGHT = 10;

    public BridgeConfig {
        require(pollers >= 1, "BRIDGE_POLLERS must be at least 1, was " + pollers);
        require(batchSize >= 1 && batchSize <= 10, "BRIDGE_BATCH_SIZE must be 1..10 (SQS limit), was " + batchSize);
        require(waitTimeSeconds >= 0 && waitTimeSeconds <= 20,
                "BRIDGE_WAIT_TIME_SECONDS must be 0..20 (SQS limit), was " + waitTimeSeconds);
        require(visibilityTimeoutSeconds >= 1 && visibilityTimeoutSeconds <= 43_200,
                "BRIDGE_VISIBILITY_TIMEOUT_SECONDS must be 1..43200, was " + visibilityTimeoutSeconds);
        require(kafkaDeliveryTimeoutMs >= 1000, "BRIDGE_KAFKA_DELIVERY_TIMEOUT_MS must be at least 1000");
        require(kafkaLingerMs >= 0 && kafkaLingerMs <= 1000, "BRIDGE_KAFKA_LINGER_MS must be 0..1000, was " + kafkaLingerMs);
        require(batchesInFlight >= 1 && batchesInFlight <= 100,
                "BRIDGE_BATCHES_IN_FLIGHT must be 1..100, was " + batchesInFlight);
        require(stuckAfterMs >= 1, "BRIDGE_STUCK_AFTER_MS must be positive, was " + stuckAfterMs);
        require(queueUrl != null && !queueUrl.isBlank(), "SQS_QUEUE_URL must be set");
        require(kafka != null, "the Kafka client settings must be given");
    }

    /** The local stack's values: every default of {@link #fromEnvironment()}. */
    public static BridgeConfig local() {
        return from(name -> null);
    }

    public static BridgeConfig fromEnvironment() {
        return from(System::getenv);
    }

    /** Reads the configuration from any variable lookup (the environment, or a map in tests). */
    public static BridgeConfig from(Function<String, String> env) {
        return new BridgeConfig(
                KafkaClientSettings.fromEnvironment(env),
                text(env, "SQS_ENDPOINT", "http://127.0.0.1:9324"),
                text(env, "S3_ENDPOINT", "http://127.0.0.1:9000"),
                text(env, "SQS_QUEUE_URL", DEFAULT_QUEUE_URL),
                text(env, "AWS_REGION", "us-east-1"),
                text(env, "AWS_ACCESS_KEY_ID", "filetrail"),
                text(env, "AWS_SECRET_ACCESS_KEY", "filetrail-local-secret"),
                number(env, "BRIDGE_POLLERS", 2),
                number(env, "BRIDGE_BATCH_SIZE", 10),
                number(env, "BRIDGE_WAIT_TIME_SECONDS", 20),
                number(env, "BRIDGE_VISIBILITY_TIMEOUT_SECONDS", 120),
                number(env, "BRIDGE_METRICS_PORT", 9401),
                number(env, "BRIDGE_KAFKA_DELIVERY_TIMEOUT_MS", 30_000),
                Long.parseLong(text(env, "BRIDGE_RETRY_BACKOFF_MAX_MS", "30000")),
                number(env, "BRIDGE_SHUTDOWN_GRACE_SECONDS", 30),
                number(env, "BRIDGE_KAFKA_LINGER_MS", DEFAULT_KAFKA_LINGER_MS),
                number(env, "BRIDGE_BATCHES_IN_FLIGHT", DEFAULT_BATCHES_IN_FLIGHT),
                Long.parseLong(text(env, "BRIDGE_STUCK_AFTER_MS", "120000")));
    }

    public BridgeConfig withKafka(KafkaClientSettings settings) {
        return new BridgeConfig(settings, sqsEndpoint, s3Endpoint, queueUrl, region, accessKey, secretKey,
                pollers, batchSize, waitTimeSeconds, visibilityTimeoutSeconds, metricsPort,
                kafkaDeliveryTimeoutMs, retryBackoffMaxMs, shutdownGraceSeconds,
                kafkaLingerMs, batchesInFlight, stuckAfterMs);
    }

    public BridgeConfig withSqs(String endpoint, String queue) {
        return new BridgeConfig(kafka, endpoint, s3Endpoint, queue, region, accessKey, secretKey,
                pollers, batchSize, waitTimeSeconds, visibilityTimeoutSeconds, metricsPort,
                kafkaDeliveryTimeoutMs, retryBackoffMaxMs, shutdownGraceSeconds,
                kafkaLingerMs, batchesInFlight, stuckAfterMs);
    }

    public BridgeConfig withS3(String endpoint) {
        return new BridgeConfig(kafka, sqsEndpoint, endpoint, queueUrl, region, accessKey, secretKey,
                pollers, batchSize, waitTimeSeconds, visibilityTimeoutSeconds, metricsPort,
                kafkaDeliveryTimeoutMs, retryBackoffMaxMs, shutdownGraceSeconds,
                kafkaLingerMs, batchesInFlight, stuckAfterMs);
    }

    public BridgeConfig withPolling(int pollerCount, int waitSeconds, int visibilitySeconds) {
        return new BridgeConfig(kafka, sqsEndpoint, s3Endpoint, queueUrl, region, accessKey, secretKey,
                pollerCount, batchSize, waitSeconds, visibilitySeconds, metricsPort,
                kafkaDeliveryTimeoutMs, retryBackoffMaxMs, shutdownGraceSeconds,
                kafkaLingerMs, batchesInFlight, stuckAfterMs);
    }

    public BridgeConfig withMetricsPort(int port) {
        return new BridgeConfig(kafka, sqsEndpoint, s3Endpoint, queueUrl, region, accessKey, secretKey,
                pollers, batchSize, waitTimeSeconds, visibilityTimeoutSeconds, port,
                kafkaDeliveryTimeoutMs, retryBackoffMaxMs, shutdownGraceSeconds,
                kafkaLingerMs, batchesInFlight, stuckAfterMs);
    }

    public BridgeConfig withRetry(int deliveryTimeoutMs, long backoffMaxMs, int graceSeconds) {
        return new BridgeConfig(kafka, sqsEndpoint, s3Endpoint, queueUrl, region, accessKey, secretKey,
                pollers, batchSize, waitTimeSeconds, visibilityTimeoutSeconds, metricsPort,
                deliveryTimeoutMs, backoffMaxMs, graceSeconds,
                kafkaLingerMs, batchesInFlight, stuckAfterMs);
    }

    public BridgeConfig withProducerPipeline(int lingerMs, int inFlight) {
        return new BridgeConfig(kafka, sqsEndpoint, s3Endpoint, queueUrl, region, accessKey, secretKey,
                pollers, batchSize, waitTimeSeconds, visibilityTimeoutSeconds, metricsPort,
                kafkaDeliveryTimeoutMs, retryBackoffMaxMs, shutdownGraceSeconds,
                lingerMs, inFlight, stuckAfterMs);
    }

    public BridgeConfig withStuckAfter(long ms) {
        return new BridgeConfig(kafka, sqsEndpoint, s3Endpoint, queueUrl, region, accessKey, secretKey,
                pollers, batchSize, waitTimeSeconds, visibilityTimeoutSeconds, metricsPort,
                kafkaDeliveryTimeoutMs, retryBackoffMaxMs, shutdownGraceSeconds,
                kafkaLingerMs, batchesInFlight, ms);
    }

    private static String text(Function<String, String> env, String name, String fallback) {
        String value = env.apply(name);
        return value == null ? fallback : value.trim();
    }

    private static int number(Function<String, String> env, String name, int fallback) {
        String value = env.apply(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, was '" + value + "'", e);
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
