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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
 * report needs neither Kafka nor the partition count. One shard alone ({@link ShardScope}) is read from its
 * database only, and S3's listing, which cannot be asked for one shard's keys, is filtered by the shard rule.
 */
public final class Reconciler {
    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
    private static final int PAGE = 1000;

    private final S3Client s3;
    private final List<DataSource> readModel;
    /** The one shard reconciled, whose database is {@link #readModel}'s only one; null: every shard, merged. */
    private final ShardScope shard;
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
        this(s3, shards, null, producer, region, clock);
    }

    /**
     * Against one shard alone: only its keys are compared and repaired; S3's keys of the other shards are skipped
     * and counted, and rows of other shards' keys in its database are reported as {@link Difference.Kind#WRONG_SHARD}.
     *
     * @param database the database of shard {@code shard.index()}
     */
    public Reconciler(S3Client s3, DataSource database, ShardScope shard, Supplier<BridgeProducer> producer,
                      String region, Clock clock) {
        this(s3, List.of(database), Objects.requireNonNull(shard, "shard"), producer, region, clock);
    }

    private Reconciler(S3Client s3, List<DataSource> shards, ShardScope shard, Supplier<BridgeProducer> producer,
                       String region, Clock clock) {
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("no read-model shard to reconcile against");
        }
        this.s3 = s3;
        this.readModel = List.copyOf(shards);
        this.shard = shard;
        this.producer = producer;
        this.repairs = new RepairEvents(region);
        this.clock = clock;
    }

    public ReconcileReport run(String bucket, String prefix, boolean repair, boolean dryRun, int reportLimit,
                               Consumer<ReconcileProgress> progress) {
        Instant started = clock.instant();
        Tally tally = new Tally(bucket, repair, dryRun, reportLimit);
        log.info("reconcile started bucket={} prefix={} shard={} shards={} repair={} dryRun={}", bucket, prefix,
                shardName(), shards(), repair, dryRun);
        S3Listing s3Side = new S3Listing(s3, bucket, prefix, PAGE);
        try (MergedListing filetrailSide = filetrailSide(bucket, prefix)) {
            KeyEntries a = s3Side.hasNext() ? s3Side.next() : null;
            KeyEntries b = filetrailSide.hasNext() ? filetrailSide.next() : null;
            while (a != null || b != null) {
                if (a != null && !inScope(bucket, a.key())) {
                    // Listed to cover the bucket, but another shard's to compare.
                    tally.skippedKeys++;
                    tally.skippedS3Entries += a.entries().size();
                    a = s3Side.hasNext() ? s3Side.next() : null;
                } else if (b != null && !inScope(bucket, b.key())) {
                    // Compared with nothing: S3's entries of this key were skipped, so each would look extra, and a
                    // VERSION_REMOVED would remove it from the key's own shard too.
                    for (ObjectEntry entry : b.entries()) {
                        tally.difference(new Difference(Difference.Kind.WRONG_SHARD, bucket, b.key(),
                                entry.versionId(), null, entry, false));
                    }
                    b = filetrailSide.hasNext() ? filetrailSide.next() : null;
                } else {
                    int order = a == null ? 1 : b == null ? -1 : KeyOrder.UTF8_BINARY.compare(a.key(), b.key());
                    String key = order <= 0 ? a.key() : b.key();
                    List<ObjectEntry> inS3 = order <= 0 ? a.entries() : List.of();
                    List<ObjectEntry> inFiletrail = order >= 0 ? b.entries() : List.of();
                    tally.keys++;
                    tally.s3Entries += inS3.size();
                    tally.filetrailEntries += inFiletrail.size();
                    KeyComparison.compare(bucket, key, inS3, inFiletrail).forEach(tally::difference);
                    heldTwice(inFiletrail).forEach(entry -> tally.difference(new Difference(
                            Difference.Kind.WRONG_SHARD, bucket, key, entry.versionId(), null, entry, false)));
                    if (order <= 0) {
                        a = s3Side.hasNext() ? s3Side.next() : null;
                    }
                    if (order >= 0) {
                        b = filetrailSide.hasNext() ? filetrailSide.next() : null;
                    }
                }
                progress.accept(new ReconcileProgress(tally.keys, tally.s3Entries, tally.filetrailEntries,
                        tally.skippedKeys, tally.differences));
            }
        }
        awaitAcks(tally.sends);
        Duration took = Duration.between(started, clock.instant());
        log.info("reconcile finished bucket={} prefix={} shard={} shards={} keys={} s3Entries={} filetrailEntries={} "
                + "skippedKeys={} skippedS3Entries={} differences={} repairEvents={} unrepaired={}", bucket, prefix,
                shardName(), shards(), tally.keys, tally.s3Entries, tally.filetrailEntries, tally.skippedKeys,
                tally.skippedS3Entries, tally.differences, tally.repairEvents, tally.unrepaired);
        return new ReconcileReport(bucket, prefix, shard == null ? null : shard.index(), shards(), repair, dryRun,
                tally.keys, tally.s3Entries, tally.filetrailEntries, tally.skippedKeys, tally.skippedS3Entries,
                tally.differences, Collections.unmodifiableMap(tally.byKind), tally.repairEvents, tally.unrepaired,
                List.copyOf(tally.reported), tally.differences > tally.reported.size(), took);
    }

    /**
     * Versions of one key that more than one shard holds: a shard's table has one row per version, so a version
     * listed twice by the merged shards is in two databases, and one of them is not its key's. The comparison with
     * S3 takes the version once, so without this the stray copy would pass unseen.
     */
    private static List<ObjectEntry> heldTwice(List<ObjectEntry> merged) {
        Set<String> seen = new HashSet<>();
        Set<String> reported = new HashSet<>();
        List<ObjectEntry> twice = new ArrayList<>();
        for (ObjectEntry entry : merged) {
            if (!seen.add(entry.versionId()) && reported.add(entry.versionId())) {
                twice.add(entry);
            }
        }
        return twice;
    }

    private boolean inScope(String bucket, String key) {
        return shard == null || shard.holds(bucket, key);
    }

    private int shards() {
        return shard == null ? readModel.size() : shard.count();
    }

    private String shardName() {
        return shard == null ? "all" : Integer.toString(shard.index());
    }

    /** One run's counts so far, and the repairs it has sent and not yet seen acknowledged. */
    private final class Tally {
        private final String bucket;
        private final boolean repair;
        private final boolean dryRun;
        private final int reportLimit;
        private final Map<Difference.Kind, Long> byKind = new EnumMap<>(Difference.Kind.class);
        private final List<Difference> reported = new ArrayList<>();
        private final List<CompletableFuture<RecordMetadata>> sends = new ArrayList<>();
        private long keys;
        private long s3Entries;
        private long filetrailEntries;
        private long skippedKeys;
        private long skippedS3Entries;
        private long differences;
        private long unrepaired;
        private long repairEvents;

        Tally(String bucket, boolean repair, boolean dryRun, int reportLimit) {
            this.bucket = bucket;
            this.repair = repair;
            this.dryRun = dryRun;
            this.reportLimit = reportLimit;
        }

        /** Counts {@code d}, lists it while under the limit, and with repair sends the event that fixes it. */
        void difference(Difference d) {
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
                        Topics.OBJECT_EVENTS.values().encode(event), "reconcile " + d.kind() + " bucket=" + bucket
                        + " key=" + d.key() + " versionId=" + d.versionId())));
                repairEvents++;
                if (sends.size() >= PAGE) {
                    awaitAcks(sends);
                    sends.clear();
                }
                log.info("reconcile repair kind={} bucket={} key={} versionId={} shard={} eventId={}", d.kind(),
                        bucket, d.key(), d.versionId(), shardName(), event.eventId());
            }
        }
    }

    private MergedListing filetrailSide(String bucket, String prefix) {
        List<ReadModelListing> listings = new ArrayList<>();
        try {
            for (DataSource database : readModel) {
                listings.add(new ReadModelListing(database, bucket, prefix, PAGE));
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
