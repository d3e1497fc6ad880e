package dev.filetrail.api;

import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.access.AccessEvent;
import dev.filetrail.events.audit.AuditTypes;
import dev.filetrail.events.audit.CloudEvent;
import dev.filetrail.events.schema.ContractSchemas;
import dev.filetrail.events.history.FileVersion;
import dev.filetrail.events.share.ShareCommand;
import dev.filetrail.events.share.ShareLink;
import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.events.kafka.KafkaRole;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Stands in for the share-link part of the metadata-streams topology (which this module must not depend on):
 * turns one bucket's share commands and access events into ShareLink states and audit CloudEvents.
 */
public final class StreamsStandIn implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final String bucket;
    private final ReadModelFeed feed;
    private final Map<String, ShareLink> links = new HashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private Thread thread;

    /** @param kafka the streams role's login, whose group prefix the stand-in's group uses */
    public StreamsStandIn(KafkaClientSettings kafka, String bucket, ReadModelFeed feed) {
        this.consumer = kafka.newConsumer(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, KafkaRole.STREAMS_APPLICATION_PREFIX + "-stand-in-" + bucket,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer());
        this.producer = kafka.newProducer(Map.of(), new StringSerializer(), new ByteArraySerializer());
        this.bucket = bucket;
        this.feed = feed;
    }

    public StreamsStandIn start() {
        consumer.subscribe(List.of(Topics.SHARE_COMMANDS.name(), Topics.ACCESS_EVENTS.name()));
        thread = new Thread(() -> {
            try {
                while (running.get()) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        ShareCommand command = r.topic().equals(Topics.ACCESS_EVENTS.name())
                                ? asCommand(Topics.ACCESS_EVENTS.values().decode(r.value()))
                                : Topics.SHARE_COMMANDS.values().decode(r.value());
                        if (bucket.equals(command.bucket())) {
                            apply(command);
                        }
                    }
                }
            } catch (WakeupException e) {
                // closing
            } finally {
                consumer.close();
            }
        }, "streams-stand-in");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** An access event as the share command it used to be, which is how the real topology reads old ones too. */
    private static ShareCommand asCommand(AccessEvent a) {
        ShareCommand.Type type = a.type() == AccessEvent.Type.URL_ISSUED ? ShareCommand.Type.URL_ISSUED
                : ShareCommand.Type.RECORD_ACCESS;
        return new ShareCommand(a.eventId(), type, a.linkId(), a.bucket(), a.key(), null, a.versionId(),
                a.expiresAt(), null, null, a.actor(), a.clientAddress(), a.occurredAt());
    }

    private void apply(ShareCommand c) {
        Instant now = Instant.now();
        switch (c.type()) {
            case CREATE -> {
                FileVersion current = feed.current(c.key());
                String resolved = c.versionId() != null ? c.versionId() : current == null ? null : current.versionId();
                ShareLink link = new ShareLink(c.linkId(), c.bucket(), c.key(), c.tokenSha256(), c.versionId(), resolved,
                        resolved == null ? ShareLink.Status.REJECTED : ShareLink.Status.ACTIVE,
                        resolved == null ? "no version" : null, c.expiresAt(), c.passwordHash(),
                        c.allowDownload() == null || c.allowDownload(), c.actor(), now, null, null, 0, null,
                        c.commandId(), now);
                emit(link, AuditTypes.SHARE_CREATED, c);
            }
            case REVOKE -> {
                ShareLink l = links.get(c.linkId());
                if (l != null) {
                    emit(new ShareLink(l.linkId(), l.bucket(), l.key(), l.tokenSha256(), l.pinnedVersionId(),
                            l.resolvedVersionId(), ShareLink.Status.REVOKED, null, l.expiresAt(), l.passwordHash(),
                            l.allowDownload(), l.createdBy(), l.createdAt(), now, c.actor(), l.accessCount(),
                            l.lastAccessAt(), c.commandId(), now), AuditTypes.SHARE_REVOKED, c);
                }
            }
            case RECORD_ACCESS -> {
                ShareLink l = links.get(c.linkId());
                if (l != null) {
                    emit(new ShareLink(l.linkId(), l.bucket(), l.key(), l.tokenSha256(), l.pinnedVersionId(),
                            l.resolvedVersionId(), l.status(), l.statusReason(), l.expiresAt(), l.passwordHash(),
                            l.allowDownload(), l.createdBy(), l.createdAt(), l.revokedAt(), l.revokedBy(),
                            l.accessCount() + 1, now, c.commandId(), now), AuditTypes.SHARE_OPENED, c);
                }
            }
            case URL_ISSUED -> audit(AuditTypes.URL_ISSUED, c);
            default -> { }
        }
    }

    private void emit(ShareLink link, String auditType, ShareCommand c) {
        links.put(link.linkId(), link);
        producer.send(new ProducerRecord<>(Topics.SHARE_LINKS.name(), link.linkId(), Topics.SHARE_LINKS.values().encode(link)));
        audit(auditType, c);
    }

    private void audit(String type, ShareCommand c) {
        var data = Json.MAPPER.createObjectNode().put("bucket", c.bucket()).put("key", c.key());
        if (c.linkId() != null) {
            data.put("linkId", c.linkId());
        }
        if (c.clientAddress() != null) {
            data.put("clientAddress", c.clientAddress());
        }
        producer.send(new ProducerRecord<>(Topics.AUDIT.name(), c.recordKey(), Topics.AUDIT.values().encode(new CloudEvent(
                CloudEvent.SPEC_VERSION, UUID.randomUUID().toString(), "/filetrail/metadata-streams", type,
                c.recordKey(), Instant.now(), CloudEvent.CONTENT_TYPE, ContractSchemas.dataschema(type), data))));
        producer.flush();
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close();
    }
}
