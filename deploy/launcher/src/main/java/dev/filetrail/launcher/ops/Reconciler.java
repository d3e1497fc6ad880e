package dev.filetrail.launcher.ops;

import dev.filetrail.bridge.kafka.BridgeProducer;
import dev.filetrail.bridge.kafka.OutboundRecord;
import dev.filetrail.events.Topics;
import dev.filetrail.events.object.ObjectEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Compares Filetrail's history of a bucket (the read model) with S3's ListObjectVersions by a merge join over
 * both in key order, reports every difference, and with repair produces the ObjectEvents that fix them to
 * {@code filetrail.object-events.v1}. Memory holds one listing page and one key's entries per side. A sharded read
 * model is read from every shard at once, merged by key ({@link MergedListing}): no shard routing is needed, so a
 * report needs neither Kafka nor the partition count.
 */
public final class Reconciler {
    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
    private static final int PAGE = 1000;

    private final S3Client s3;
    private final List<DataSource> readModel;
    private final Supplier<BridgeProducer> producer;
    private final RepairEvents repairs;
    private final Clock clock;

    /**
     * @param producer asked for only when a repair must be produced, so a report needs no Kafka
     */
    public Reconciler(S3Client s3, DataSource readModel, Supplier<BridgeProducer> producer, String region, Clock clock) {
        this(s3, List.of(readModel), producer, region, clock);
    }

    /**
     * @param shards the read model's shards, in order (one for an unsharded read model)
     */
    public Reconciler(S3Client s3, List<DataSource> shards, Supplier<BridgeProducer> producer, String region,
                      Clock clock) {
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("no read-model shard to reconcile against");
        }
        this.s3 = s3;
        this.readModel = List.copyOf(shards);
        this.producer = producer;
        this.repairs = new RepairEvents(region);
        this.clock = clock;
    }

    public ReconcileReport run(String bucket, String prefix, boolean repair, boolean dryRun, int reportLimit,
                               Consumer<ReconcileProgress> progress) {
        Instant started = clock.instant();
        Map<Difference.Kind, Long> byKind = new EnumMap<>(Difference.Kind.class);
        List<Difference> reported = new ArrayList<>();
        List<CompletableFuture<RecordMetadata>> sends = new ArrayList<>();
        long keys = 0;
        long s3Entries = 0;
        long filetrailEntries = 0;
        long differences = 0;
        long unrepaired = 0;
        long repairEvents = 0;
        S3Listing s3Side = new S3Listing(s3, bucket, prefix, PAGE);
        try (MergedListing filetrailSide = filetrailSide(bucket, prefix)) {
            KeyEntries a = s3Side.hasNext() ? s3Side.next() : null;
            KeyEntries b = filetrailSide.hasNext() ? filetrailSide.next() : null;
            while (a != null || b != null) {
                int order = a == null ? 1 : b == null ? -1 : KeyOrder.UTF8_BINARY.compare(a.key(), b.key());
                String key = order <= 0 ? a.key() : b.key();
                List<ObjectEntry> inS3 = order <= 0 ? a.entries() : List.of();
                List<ObjectEntry> inFiletrail = order >= 0 ? b.entries() : List.of();
                keys++;
                s3Entries += inS3.size();
                filetrailEntries += inFiletrail.size();
                for (Difference d : KeyComparison.compare(bucket, key, inS3, inFiletrail)) {
                    differences++;
                    byKind.merge(d.kind(), 1L, Long::sum);
                    if (reported.size() < reportLimit) {
                        reported.add(d);
                    }
                    Optional<ObjectEvent> fix = repairs.repair(d, clock.instant());
                    if (!repair || dryRun || (fix.isEmpty() && !d.repairable())) {
                        unrepaired++;
                    }
                    if (repair && !dryRun && fix.isPresent()) {
                        ObjectEvent event = fix.get();
                        sends.add(producer.get().send(new OutboundRecord(Topics.OBJECT_EVENTS.name(), event.recordKey(),
                                Topics.OBJECT_EVENTS.values().encode(event), "reconcile " + d.kind() + " bucket=" + bucket + " key=" + key
                                + " versionId=" + d.versionId())));
                        repairEvents++;
                        if (sends.size() >= PAGE) {
                            awaitAcks(sends);
                            sends.clear();
                        }
                        log.info("reconcile repair kind={} bucket={} key={} versionId={} eventId={}", d.kind(),
                                bucket, key, d.versionId(), event.eventId());
                    }
                }
                progress.accept(new ReconcileProgress(keys, s3Entries, filetrailEntries, differences));
                if (order <= 0) {
                    a = s3Side.hasNext() ? s3Side.next() : null;
                }
                if (order >= 0) {
                    b = filetrailSide.hasNext() ? filetrailSide.next() : null;
                }
            }
        }
        awaitAcks(sends);
        Duration took = Duration.between(started, clock.instant());
        log.info("reconcile finished bucket={} prefix={} keys={} s3Entries={} filetrailEntries={} differences={} "
                + "repairEvents={} unrepaired={}", bucket, prefix, keys, s3Entries, filetrailEntries, differences,
                repairEvents, unrepaired);
        return new ReconcileReport(bucket, prefix, repair, dryRun, keys, s3Entries, filetrailEntries, differences,
                Collections.unmodifiableMap(byKind), repairEvents, unrepaired, List.copyOf(reported),
                differences > reported.size(), took);
    }

    private MergedListing filetrailSide(String bucket, String prefix) {
        List<ReadModelListing> listings = new ArrayList<>();
        try {
            for (DataSource shard : readModel) {
                listings.add(new ReadModelListing(shard, bucket, prefix, PAGE));
            }
            return new MergedListing(listings);
        } catch (RuntimeException e) {
            listings.forEach(ReadModelListing::close);
            throw e;
        }
    }

    private static void awaitAcks(List<CompletableFuture<RecordMetadata>> sends) {
        if (sends.isEmpty()) {
            return;
        }
        try {
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka did not accept the repair events (a re-run is safe): "
                    + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while producing repair events", e);
        }
    }
}
