package dev.filetrail.api.shares;

import dev.filetrail.api.http.ApiProblem;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.share.ShareCommand;
import java.time.Duration;
import dev.filetrail.events.kafka.KafkaClientSettings;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes {@link ShareCommand}s to {@code filetrail.share-commands.v1}, keyed {@code bucket/key}. */
public final class ShareCommands implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ShareCommands.class);
    private final KafkaProducer<String, byte[]> producer;

    public ShareCommands(KafkaClientSettings kafka) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        this.producer = kafka.newProducer(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Sends and waits for the broker's acknowledgement; a failure is an exception, never a silent loss. */
    public RecordMetadata send(ShareCommand command) {
        try {
            RecordMetadata metadata = producer.send(record(command)).get(20, TimeUnit.SECONDS);
            log.info("share command sent type={} linkId={} bucket={} key={} partition={} offset={}", command.type(),
                    command.linkId(), command.bucket(), command.key(), metadata.partition(), metadata.offset());
            return metadata;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted sending share command", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new CommandNotAccepted("Kafka did not accept the share command: " + e.getMessage(), e);
        }
    }

    private static ProducerRecord<String, byte[]> record(ShareCommand command) {
        return new ProducerRecord<>(Topics.SHARE_COMMANDS.name(), command.recordKey(),
                Topics.SHARE_COMMANDS.values().encode(command));
    }

    /** Kafka refused or did not answer: a 503 problem. */
    public static final class CommandNotAccepted extends ApiProblem {
        CommandNotAccepted(String message, Throwable cause) {
            super(503, "kafka-unavailable", "Service unavailable", message);
            initCause(cause);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
