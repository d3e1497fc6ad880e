package dev.filetrail.api;

import dev.filetrail.embedded.contracts.ContractCheck;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.audit.AuditTypes;
import dev.filetrail.events.audit.CloudEvent;
import dev.filetrail.events.schema.ContractSchemas;
import dev.filetrail.events.history.ChangeType;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.history.FileVersion;
import dev.filetrail.events.history.FileVersionChange;
import dev.filetrail.events.processing.Thumbnail;
import dev.filetrail.events.kafka.KafkaClientSettings;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Plays metadata-streams' part for the tests: writes real objects to S3 and the records the topology would
 * write for them (file-versions, files, audit), keeping each key's history to compute its head.
 */
public final class ReadModelFeed implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final S3Client s3;
    private final String bucket;
    private final String derivativesBucket;
    private final Map<String, List<FileVersion>> histories = new HashMap<>();
    private long sequence = 0x10000;

    /** @param kafka the streams role's login: the feed writes what metadata-streams would */
    public ReadModelFeed(KafkaClientSettings kafka, EmbeddedS3 s3, String bucket, String derivativesBucket) {
        this.producer = kafka.newProducer(Map.of(ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(),
                new ByteArraySerializer());
        this.s3 = s3.client();
        this.bucket = bucket;
        this.derivativesBucket = derivativesBucket;
    }

    /** Writes an object version to S3 and publishes its creation; returns the version. */
    public synchronized FileVersion putVersion(String key, byte[] bytes, String contentType) {
        var put = s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType), RequestBody.fromBytes(bytes));
        FileVersion version = new FileVersion(bucket, key, put.versionId(), nextSequencer(), false, (long) bytes.length,
                put.eTag(), "STANDARD", Instant.now(), "tester", "evt-" + UUID.randomUUID(), null, null,
                new FileVersion.Derivatives(contentType, null, null, null, null, null, null));
        histories.computeIfAbsent(key, k -> new ArrayList<>()).add(version);
        publish(ChangeType.VERSION_CREATED, version, AuditTypes.VERSION_CREATED);
        return version;
    }

    /** Publishes a version without touching S3 (for history-only tests and the benchmark). */
    public synchronized FileVersion recordVersion(String key, long size) {
        FileVersion version = new FileVersion(bucket, key, "v" + UUID.randomUUID(), nextSequencer(), false, size,
                "\"etag\"", "STANDARD", Instant.now(), "tester", "evt-" + UUID.randomUUID(), null, null, null);
        histories.computeIfAbsent(key, k -> new ArrayList<>()).add(version);
        publish(ChangeType.VERSION_CREATED, version, AuditTypes.VERSION_CREATED);
        return version;
    }

    public synchronized FileVersion deleteMarker(String key) {
        var deleted = s3.deleteObject(b -> b.bucket(bucket).key(key));
        FileVersion marker = new FileVersion(bucket, key, deleted.versionId(), nextSequencer(), true, null, null, null,
                Instant.now(), "tester", "evt-" + UUID.randomUUID(), null, null, null);
        histories.computeIfAbsent(key, k -> new ArrayList<>()).add(marker);
        publish(ChangeType.DELETE_MARKER_CREATED, marker, AuditTypes.DELETE_MARKER_CREATED);
        return marker;
    }

    /**
     * Publishes the versions S3 holds of {@code key} that this feed has not published yet (made by the API itself,
     * as S3's notifications would tell the streams); returns them, oldest first.
     */
    public synchronized List<FileVersion> observe(String key) {
        var listed = s3.listObjectVersions(b -> b.bucket(bucket).prefix(key));
        List<FileVersion> known = histories.computeIfAbsent(key, k -> new ArrayList<>());
        java.util.Set<String> seen = new java.util.HashSet<>();
        known.forEach(v -> seen.add(v.versionId()));
        record Listed(String versionId, Instant at, boolean marker, Long size, String eTag) {
        }
        List<Listed> fresh = new ArrayList<>();
        listed.versions().stream().filter(v -> v.key().equals(key) && !seen.contains(v.versionId()))
                .forEach(v -> fresh.add(new Listed(v.versionId(), v.lastModified(), false, v.size(), v.eTag())));
        listed.deleteMarkers().stream().filter(m -> m.key().equals(key) && !seen.contains(m.versionId()))
                .forEach(m -> fresh.add(new Listed(m.versionId(), m.lastModified(), true, null, null)));
        // S3 lists a key's versions newest first; the oldest is published first, as its notifications would be.
        java.util.Collections.reverse(fresh);
        fresh.sort(java.util.Comparator.comparing(Listed::at));
        List<FileVersion> published = new ArrayList<>();
        for (Listed l : fresh) {
            FileVersion version = new FileVersion(bucket, key, l.versionId(), nextSequencer(), l.marker(), l.size(),
                    l.eTag(), l.marker() ? null : "STANDARD", Instant.now(), "filetrail-api", "evt-" + UUID.randomUUID(),
                    null, null, null);
            known.add(version);
            publish(l.marker() ? ChangeType.DELETE_MARKER_CREATED : ChangeType.VERSION_CREATED, version,
                    l.marker() ? AuditTypes.DELETE_MARKER_CREATED : AuditTypes.VERSION_CREATED);
            published.add(version);
        }
        return published;
    }

    public synchronized void removeVersion(String key, String versionId) {
        removeVersion(key, versionId, null);
    }

    /** Publishes a version's removal with the reason the streams give it ({@code FileVersionChange.DELETED}, …). */
    public synchronized void removeVersion(String key, String versionId, String reason) {
        List<FileVersion> history = histories.get(key);
        FileVersion removed = history.stream().filter(v -> v.versionId().equals(versionId)).findFirst().orElseThrow();
        history.remove(removed);
        publish(ChangeType.VERSION_REMOVED, removed, AuditTypes.VERSION_DELETED, reason);
    }

    /** Stores a thumbnail in the derivatives bucket and attaches it to the version (of a 640x480 original). */
    public FileVersion attachThumbnail(String key, String versionId, int size, byte[] png) {
        return attachThumbnails(key, versionId, 640, 480, List.of(new Rendition(size, size, size * 3 / 4, png)));
    }

    /** One thumbnail to store: its nominal size, real pixel size and encoded bytes. */
    public record Rendition(int size, int width, int height, byte[] png) {
    }

    /** Stores several thumbnails and attaches them, with the original's real dimensions, as the processors do. */
    public synchronized FileVersion attachThumbnails(String key, String versionId, int originalWidth, int originalHeight,
                                                     List<Rendition> renditions) {
        List<Thumbnail> thumbnails = new ArrayList<>();
        for (Rendition r : renditions) {
            String thumbKey = "_derivatives/thumbnails/" + key + "/" + versionId + "/" + r.size() + ".png";
            s3.putObject(b -> b.bucket(derivativesBucket).key(thumbKey).contentType("image/png"),
                    RequestBody.fromBytes(r.png()));
            thumbnails.add(new Thumbnail(r.size(), r.width(), r.height(), "image/png", derivativesBucket, thumbKey,
                    r.png().length));
        }
        List<FileVersion> history = histories.get(key);
        for (int i = 0; i < history.size(); i++) {
            FileVersion v = history.get(i);
            if (v.versionId().equals(versionId)) {
                FileVersion.Derivatives d = v.derivatives();
                FileVersion updated = v.withDerivatives(new FileVersion.Derivatives(d == null ? null : d.contentType(),
                        originalWidth, originalHeight, "abc", null, thumbnails, null));
                history.set(i, updated);
                publish(ChangeType.DERIVATIVES_ATTACHED, updated, AuditTypes.DERIVATIVES_ATTACHED);
                return updated;
            }
        }
        throw new IllegalArgumentException("no version " + versionId);
    }

    /**
     * Publishes one change to a known version, as the streams would: {@code edit} makes the version after it (a
     * storage class, restore or tags change; derivatives attached).
     */
    public synchronized FileVersion change(String key, String versionId, ChangeType type,
                                           java.util.function.UnaryOperator<FileVersion> edit) {
        List<FileVersion> history = histories.get(key);
        for (int i = 0; i < history.size(); i++) {
            if (history.get(i).versionId().equals(versionId)) {
                FileVersion updated = edit.apply(history.get(i));
                history.set(i, updated);
                String auditType = switch (type) {
                    case STORAGE_CLASS_CHANGED -> AuditTypes.STORAGE_CLASS_CHANGED;
                    case RESTORE_CHANGED -> AuditTypes.VERSION_RESTORED;
                    case TAGS_CHANGED -> AuditTypes.TAGS_CHANGED;
                    case DERIVATIVES_ATTACHED -> AuditTypes.DERIVATIVES_ATTACHED;
                    default -> throw new IllegalArgumentException(type + " is not a change to a version");
                };
                publish(type, updated, auditType);
                return updated;
            }
        }
        throw new IllegalArgumentException("no version " + versionId);
    }

    public synchronized FileVersion current(String key) {
        List<FileVersion> history = histories.get(key);
        return history == null || history.isEmpty() ? null : history.get(history.size() - 1);
    }

    /** Sends a raw value to a topic (bad-input tests); returns where it landed. */
    /** Sends bytes as they are: poison, marked so the end-of-run contract check knows it was meant. */
    public RecordMetadata sendRaw(String topic, String recordKey, byte[] value) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, recordKey, value);
        record.headers().add(ContractCheck.DELIBERATELY_INVALID, "poison".getBytes(StandardCharsets.UTF_8));
        return send(record);
    }

    public RecordMetadata sendJson(String topic, String recordKey, Object value) {
        return send(topic, recordKey, Json.write(value));
    }

    private void publish(ChangeType type, FileVersion version, String auditType) {
        publish(type, version, auditType, null);
    }

    private void publish(ChangeType type, FileVersion version, String auditType, String removalReason) {
        FileHead head = head(version.key());
        String key = Topics.objectKey(bucket, version.key());
        send(Topics.FILE_VERSIONS.name(), key, Topics.FILE_VERSIONS.values().encode(new FileVersionChange(UUID.randomUUID().toString(), type, bucket,
                version.key(), version.versionId(), version, head, version.createdEventId(), Instant.now(),
                removalReason)));
        send(Topics.FILES.name(), key, head.exists() ? Topics.FILES.values().encode(head) : null);
        var data = Json.MAPPER.createObjectNode().put("bucket", bucket).put("key", version.key())
                .put("versionId", version.versionId());
        send(Topics.AUDIT.name(), key, Topics.AUDIT.values().encode(new CloudEvent(CloudEvent.SPEC_VERSION, UUID.randomUUID().toString(),
                "/filetrail/metadata-streams", auditType, key, Instant.now(), CloudEvent.CONTENT_TYPE,
                ContractSchemas.dataschema(auditType), data)));
    }

    private FileHead head(String key) {
        List<FileVersion> history = histories.getOrDefault(key, List.of());
        long versions = history.stream().filter(v -> !v.deleteMarker()).count();
        long markers = history.size() - versions;
        FileVersion latest = history.isEmpty() ? null : history.get(history.size() - 1);
        boolean deleted = latest == null || latest.deleteMarker();
        return new FileHead(bucket, key, deleted, deleted ? null : latest.versionId(), versions, markers,
                deleted ? null : latest.size(), deleted ? null : latest.eTag(),
                deleted || latest.derivatives() == null ? null : latest.derivatives().contentType(),
                deleted ? null : latest.storageClass(), latest == null ? null : latest.createdAt(),
                latest == null ? null : latest.versionId());
    }

    private String nextSequencer() {
        return String.format("%016X", ++sequence);
    }

    private RecordMetadata send(String topic, String key, byte[] value) {
        return send(new ProducerRecord<>(topic, key, value));
    }

    private RecordMetadata send(ProducerRecord<String, byte[]> record) {
        try {
            return producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not publish to " + record.topic(), e);
        }
    }

    @Override
    public void close() {
        producer.close();
        s3.close();
    }
}
