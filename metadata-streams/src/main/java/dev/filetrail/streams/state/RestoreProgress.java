package dev.filetrail.streams.state;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this instance restored from the changelogs, per changelog partition: a restart that kept its state dir
 * restores (almost) nothing, one that lost it restores everything, and the counts tell which happened.
 */
public final class RestoreProgress implements StateRestoreListener {
    private static final Logger log = LoggerFactory.getLogger(RestoreProgress.class);

    /** One finished restore of one store's changelog partition. */
    public record Restored(TopicPartition changelog, String store, long records, Duration took) {
    }

    private final Map<TopicPartition, AtomicLong> records = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> startedAt = new ConcurrentHashMap<>();
    private final List<Restored> finished = new CopyOnWriteArrayList<>();
    private final Counter counter;
    private final LongSupplier nanoTime;

    public RestoreProgress(MeterRegistry meters) {
        this(meters, System::nanoTime);
    }

    RestoreProgress(MeterRegistry meters, LongSupplier nanoTime) {
        this.counter = Counter.builder("filetrail.streams.restored.records")
                .description("records restored from the changelogs into local stores since start")
                .register(meters);
        this.nanoTime = nanoTime;
    }

    @Override
    public void onRestoreStart(TopicPartition changelog, String store, long startingOffset, long endingOffset) {
        startedAt.put(changelog, nanoTime.getAsLong());
        records.computeIfAbsent(changelog, p -> new AtomicLong());
        log.info("state restore started store={} changelog={} from={} to={}", store, changelog, startingOffset,
                endingOffset);
    }

    @Override
    public void onBatchRestored(TopicPartition changelog, String store, long batchEndOffset, long numRestored) {
        records.computeIfAbsent(changelog, p -> new AtomicLong()).addAndGet(numRestored);
        counter.increment(numRestored);
    }

    @Override
    public void onRestoreEnd(TopicPartition changelog, String store, long totalRestored) {
        Long start = startedAt.remove(changelog);
        Duration took = start == null ? Duration.ZERO : Duration.ofNanos(nanoTime.getAsLong() - start);
        finished.add(new Restored(changelog, store, totalRestored, took));
        log.info("state restore finished store={} changelog={} records={} tookMs={}", store, changelog,
                totalRestored, took.toMillis());
    }

    @Override
    public void onRestoreSuspended(TopicPartition changelog, String store, long totalRestored) {
        startedAt.remove(changelog);
        log.info("state restore suspended store={} changelog={} records={}", store, changelog, totalRestored);
    }

    /** Records restored since start, over all changelog partitions. */
    public long restoredRecords() {
        return records.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Records restored since start, per changelog partition. */
    public Map<TopicPartition, Long> restoredByPartition() {
        return records.entrySet().stream().collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> e.getValue().get()));
    }

    /** The restores that finished, in the order they did. */
    public List<Restored> finished() {
        return List.copyOf(finished);
    }
}
