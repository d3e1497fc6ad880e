package dev.filetrail.bridge.kafka;

import dev.filetrail.bridge.BridgeConfig;
import dev.filetrail.events.kafka.KafkaClientSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The bridge's one Kafka producer: idempotent, acks=all, every send bounded in time so an outage surfaces. */
public final class BridgeProducer implements AutoCloseable {
    private final Producer<String, byte[]> producer;

    public BridgeProducer(Producer<String, byte[]> producer) {
        this.producer = producer;
    }

    /** A producer with the default linger, for the ops commands (backfill, reconcile, redrive). */
    public static BridgeProducer connect(KafkaClientSettings kafka, int deliveryTimeoutMs, String clientId) {
        return connect(kafka, deliveryTimeoutMs, clientId, BridgeConfig.DEFAULT_KAFKA_LINGER_MS);
    }

    public static BridgeProducer connect(KafkaClientSettings kafka, int deliveryTimeoutMs, String clientId, int lingerMs) {
        return new BridgeProducer(kafka.newProducer(settings(deliveryTimeoutMs, clientId, lingerMs),
                new StringSerializer(), new ByteArraySerializer()));
    }

    /** The producer settings the exactly-once-to-readers contract rests on (the connection comes from the caller). */
    public static Map<String, Object> settings(int deliveryTimeoutMs, String clientId, int lingerMs) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.put(ProducerConfig.RETRIES_CONFIG, String.valueOf(Integer.MAX_VALUE));
        // Pollers do not wait for acks before receiving again (the wait overlaps the next receives), so linger costs
        // no throughput and lets records of several SQS batches share one request: fewer, larger, better-compressed
        // requests, which is most of what the producer and the broker spend per record.
        p.put(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(lingerMs));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        int requestTimeout = Math.max(500, Math.min(10_000, deliveryTimeoutMs / 3));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(requestTimeout));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(deliveryTimeoutMs));
        // send() itself blocks while metadata is missing (broker down); bound that too.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(deliveryTimeoutMs));
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "2000");
        // Matches the topics' max.message.bytes: a 256 KB SQS body inside a dead letter must fit.
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(4 * 1024 * 1024));
        return p;
    }

    /** Sends one record; the future completes when Kafka acknowledged it (acks=all) or the send failed. */
    public CompletableFuture<RecordMetadata> send(OutboundRecord record) {
        CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(record.topic(), record.key(), record.value()), (metadata, error) -> {
                if (error != null) {
                    result.completeExceptionally(error);
                } else {
                    result.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
