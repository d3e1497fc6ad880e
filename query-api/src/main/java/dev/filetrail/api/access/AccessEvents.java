package dev.filetrail.api.access;

import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.access.AccessEvent;
import dev.filetrail.events.object.EventIds;
import dev.filetrail.events.kafka.KafkaClientSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes {@link AccessEvent}s (URLs issued, share pages opened, the API's writes, rewind jobs) to {@code filetrail.access-events.v1}. */
public final class AccessEvents implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccessEvents.class);
    private final KafkaProducer<String, byte[]> producer;

    public AccessEvents(KafkaClientSettings kafka) {
        // The answer to the caller never waits for these, so a few milliseconds of batching cost nothing.
        this.producer = kafka.newProducer(Map.of(ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true", ProducerConfig.LINGER_MS_CONFIG, "5",
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000", ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                        "10000", ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000"),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** Records that a URL to {@code bucket/key} (version, expiry) was signed for {@code actor}. */
    public void urlIssued(String linkId, String bucket, String key, String versionId, Instant expiresAt, String actor,
                          String clientAddress) {
        send(new AccessEvent(UUID.randomUUID().toString(), AccessEvent.Type.URL_ISSUED, linkId, bucket, key,
                versionId, expiresAt, actor, clientAddress, Instant.now()));
    }

    /** Records that the public page of share link {@code linkId} was shown. */
    public void shareOpened(String linkId, String bucket, String key, String versionId, String clientAddress,
                            Instant at) {
        send(new AccessEvent(UUID.randomUUID().toString(), AccessEvent.Type.SHARE_OPENED, linkId, bucket, key,
                versionId, null, "public", clientAddress, at));
    }

    /** Records that {@code actor} restored {@code restoredFrom} of {@code bucket/key} as {@code newVersionId}. */
    public void fileRestored(String bucket, String key, String newVersionId, String restoredFrom, String actor,
                             String clientAddress) {
        send(new AccessEvent(UUID.randomUUID().toString(), AccessEvent.Type.FILE_RESTORED, null, bucket, key,
                newVersionId, null, actor, clientAddress, Instant.now(), restoredFrom));
    }

    /**
     * Records that rewind job {@code rewind} restored {@code restoredFrom} of {@code bucket/key} as
     * {@code newVersionId}, for the key that started it.
     */
    public void rewindRestored(AccessEvent.Rewind rewind, String bucket, String key, String newVersionId,
                               String restoredFrom, String actor) {
        send(new AccessEvent(actionId(rewind, key), AccessEvent.Type.FILE_RESTORED, null, bucket, key,
                newVersionId, null, actor, null, Instant.now(), restoredFrom, rewind));
    }

    /**
     * Records that rewind job {@code rewind} placed the delete marker {@code markerVersionId} (null when a resumed job
     * found the key already deleted) on {@code bucket/key}.
     */
    public void rewindDeleted(AccessEvent.Rewind rewind, String bucket, String key, String markerVersionId,
                              String actor) {
        send(new AccessEvent(actionId(rewind, key), AccessEvent.Type.FILE_DELETED, null, bucket, key,
                markerVersionId, null, actor, null, Instant.now(), null, rewind));
    }

    /**
     * Records a rewind job's start, stop, resume or finish ({@code type} one of the REWIND_* types), keyed by its
     * prefix, by {@code actor}.
     */
    public void rewindJob(AccessEvent.Type type, String bucket, AccessEvent.Rewind rewind, String actor,
                          String clientAddress) {
        if (!type.rewindJob()) {
            throw new IllegalArgumentException(type + " is not a rewind job event");
        }
        // A job starts and finishes once: those ids are the job's, so a runner that sends one twice (stopped between
        // sending and recording) leaves one audit event. Stops and resumes are each their own.
        String id = type == AccessEvent.Type.REWIND_STARTED || type == AccessEvent.Type.REWIND_FINISHED
                ? EventIds.sha256Hex("rewind", rewind.id(), type.name()) : UUID.randomUUID().toString();
        send(new AccessEvent(id, type, null, bucket, rewind.prefix(), null, null, actor, clientAddress, Instant.now(),
                null, rewind));
    }

    /** A rewind's action on a key happens once, so its event's id is the job's and the key's. */
    private static String actionId(AccessEvent.Rewind rewind, String key) {
        return EventIds.sha256Hex("rewind-action", rewind.id(), key);
    }

    /** Records that {@code actor} removed the delete marker {@code markerVersionId}, bringing the file back. */
    public void fileUndeleted(String bucket, String key, String markerVersionId, String actor, String clientAddress) {
        send(new AccessEvent(UUID.randomUUID().toString(), AccessEvent.Type.FILE_UNDELETED, null, bucket, key,
                markerVersionId, null, actor, clientAddress, Instant.now(), null));
    }

    /** Sends without waiting: a failure is logged with everything needed to replay it, the caller is answered. */
    private void send(AccessEvent event) {
        try {
            producer.send(new ProducerRecord<>(Topics.ACCESS_EVENTS.name(), event.recordKey(),
                    Topics.ACCESS_EVENTS.values().encode(event)),
                    (metadata, error) -> {
                        if (error != null) {
                            log.error("access event lost type={} linkId={} bucket={} key={} event={} reason={}",
                                    event.type(), event.linkId(), event.bucket(), event.key(), Json.writeString(event),
                                    error.toString());
                        }
                    });
        } catch (RuntimeException e) {
            log.error("access event not sent type={} bucket={} key={} event={} reason={}", event.type(),
                    event.bucket(), event.key(), Json.writeString(event), e.toString());
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
