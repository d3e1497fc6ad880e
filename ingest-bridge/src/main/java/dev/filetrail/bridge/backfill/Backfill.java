package dev.filetrail.bridge.backfill;

import dev.filetrail.bridge.AwsClients;
import dev.filetrail.bridge.BridgeConfig;
import dev.filetrail.bridge.kafka.BridgeProducer;
import dev.filetrail.bridge.kafka.OutboundRecord;
import dev.filetrail.events.Topics;
import dev.filetrail.events.object.EventIds;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventType;
import dev.filetrail.events.object.Origin;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/**
 * Brings an existing bucket into the event log: every version and delete marker ListObjectVersions reports
 * becomes an ObjectEvent with origin {@code backfill}. Ids depend only on what S3 lists, so running it twice
 * produces duplicates readers drop, not new facts.
 */
public final class Backfill implements AutoCloseable {
    public static final String CREATED_EVENT_NAME = "ObjectCreated:Put";
    public static final String MARKER_EVENT_NAME = "ObjectRemoved:DeleteMarkerCreated";
    private static final Logger log = LoggerFactory.getLogger(Backfill.class);

    private final S3Client s3;
    private final BridgeProducer producer;
    private final String region;
    private final Clock clock;
    private final boolean ownsClients;
    private final int pageSize;

    /** With clients the caller owns (and closes). {@code producer} may be null for dry runs only. */
    public Backfill(S3Client s3, BridgeProducer producer, String region, Clock clock) {
        this(s3, producer, region, clock, false);
    }

    private Backfill(S3Client s3, BridgeProducer producer, String region, Clock clock, boolean ownsClients) {
        this(s3, producer, region, clock, ownsClients, 1000);
    }

    private Backfill(S3Client s3, BridgeProducer producer, String region, Clock clock, boolean ownsClients,
                     int pageSize) {
        this.pageSize = pageSize;
        this.s3 = s3;
        this.producer = producer;
        this.region = region;
        this.clock = clock;
        this.ownsClients = ownsClients;
    }

    /** Builds its own S3 client and producer from the bridge configuration; close it when done. */
    public static Backfill fromConfig(BridgeConfig config) {
        return new Backfill(AwsClients.s3(config, AwsClients.OPS), BridgeProducer.connect(config.kafka(),
                config.kafkaDeliveryTimeoutMs(), "filetrail-backfill"), config.region(), Clock.systemUTC(), true);
    }

    /** The same backfill reading {@code keys} entries per ListObjectVersions page (S3's maximum is 1000). */
    public Backfill withPageSize(int keys) {
        return new Backfill(s3, producer, region, clock, ownsClients, keys);
    }

    /**
     * Lists {@code bucket} (under {@code prefix}, null for all) page by page and produces one event per version
     * and delete marker, in listing order; each page is acknowledged by Kafka before the next is read.
     *
     * @throws IllegalStateException when Kafka refuses a record; what was produced before stays, and a re-run
     *                               is safe
     */
    public BackfillSummary run(String bucket, String prefix, boolean dryRun, Consumer<BackfillProgress> progress) {
        if (!dryRun && producer == null) {
            throw new IllegalStateException("backfill needs a Kafka producer unless it is a dry run");
        }
        Instant ingestedAt = clock.instant();
        long pages = 0;
        long versions = 0;
        long markers = 0;
        long produced = 0;
        for (ListObjectVersionsResponse page : s3.listObjectVersionsPaginator(b -> b.bucket(bucket).prefix(prefix).maxKeys(pageSize))) {
            pages++;
            List<ObjectEvent> events = eventsOf(page, ingestedAt);
            versions += page.versions().size();
            markers += page.deleteMarkers().size();
            if (!dryRun) {
                produced += produce(events);
            }
            String lastKey = events.isEmpty() ? null : events.get(events.size() - 1).key();
            progress.accept(new BackfillProgress(pages, versions, markers, produced, lastKey));
        }
        BackfillSummary summary = new BackfillSummary(bucket, prefix, dryRun, pages, versions, markers, produced);
        log.info("backfill finished bucket={} prefix={} dryRun={} versions={} deleteMarkers={} produced={}",
                bucket, prefix, dryRun, versions, markers, produced);
        return summary;
    }

    /**
     * The page's events in S3's listing order (key, then newest first); versions and markers of one key are
     * interleaved by LastModified, newest first, as S3 itself lists them in its XML.
     */
    List<ObjectEvent> eventsOf(ListObjectVersionsResponse page, Instant ingestedAt) {
        List<ObjectEvent> events = new ArrayList<>(page.versions().size() + page.deleteMarkers().size());
        for (ObjectVersion v : page.versions()) {
            events.add(event(page.name(), v.key(), v.versionId(), ObjectEventType.VERSION_CREATED, CREATED_EVENT_NAME,
                    v.size(), unquote(v.eTag()), v.storageClassAsString(), v.lastModified(), ingestedAt));
        }
        for (DeleteMarkerEntry m : page.deleteMarkers()) {
            events.add(event(page.name(), m.key(), m.versionId(), ObjectEventType.DELETE_MARKER_CREATED,
                    MARKER_EVENT_NAME, null, null, null, m.lastModified(), ingestedAt));
        }
        events.sort((a, b) -> {
            int byKey = a.key().compareTo(b.key());
            return byKey != 0 ? byKey : b.eventTime().compareTo(a.eventTime());
        });
        return events;
    }

    private ObjectEvent event(String bucket, String key, String versionId, ObjectEventType type, String eventName,
                              Long size, String eTag, String storageClass, Instant lastModified, Instant ingestedAt) {
        return new ObjectEvent(EventIds.objectEventId(bucket, key, versionId, null, eventName, lastModified),
                bucket, key, versionId, null, type, eventName, size, eTag, storageClass, lastModified, region,
                null, null, null, null, Origin.of(Origin.BACKFILL), ingestedAt);
    }

    private long produce(List<ObjectEvent> events) {
        List<CompletableFuture<RecordMetadata>> sends = new ArrayList<>(events.size());
        for (ObjectEvent event : events) {
            sends.add(producer.send(new OutboundRecord(Topics.OBJECT_EVENTS.name(), event.recordKey(),
                    Topics.OBJECT_EVENTS.values().encode(event),
                    "bucket=" + event.bucket() + " key=" + event.key() + " versionId=" + event.versionId())));
        }
        try {
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka did not accept backfill events: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("backfill interrupted", e);
        }
        return events.size();
    }

    private static String unquote(String eTag) {
        // Listings quote the ETag; notifications do not. Events carry the notification form.
        if (eTag != null && eTag.length() >= 2 && eTag.startsWith("\"") && eTag.endsWith("\"")) {
            return eTag.substring(1, eTag.length() - 1);
        }
        return eTag;
    }

    @Override
    public void close() {
        if (ownsClients) {
            if (producer != null) {
                producer.close();
            }
            s3.close();
        }
    }
}
