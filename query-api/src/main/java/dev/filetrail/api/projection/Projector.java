package dev.filetrail.api.projection;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.KafkaClientSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Projects {@code file-versions}, {@code files}, {@code share-links} and {@code audit} into PostgreSQL. Each
 * batch (the polls of all partitions that are ready, see {@link #pollOnce}) is written in one transaction together
 * with the next offsets of its partitions, and records below the
 * stored offset are skipped inside that transaction, so a crash, a rebalance or a second projector never loses
 * or doubles a row. A record that can never be written is parked in {@code projection_rejects} and the rest of
 * its batch applied; a transient failure is retried with back-off, and {@link #retrying()} says for how long.
 * This class is the consumer loop (polls, retries, lag, best-effort group commits); {@link ProjectionWriter} writes
 * a batch and {@link ProjectionOffsets} keeps the offsets in PostgreSQL.
 */
public final class Projector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Projector.class);
    public static final List<String> TOPICS = List.of(Topics.FILE_VERSIONS.name(), Topics.FILES.name(), Topics.SHARE_LINKS.name(),
            Topics.AUDIT.name());

    /** Records gathered into one transaction at most. */
    static final int BATCH_RECORDS = 20_000;
    /** How long a batch waits for the next poll before it is written. */
    static final Duration BATCH_LINGER = Duration.ofMillis(5);
    /** How long one batch gathers polls at most, so that a steady stream is still written in bounded batches. */
    static final Duration BATCH_GATHER = Duration.ofSeconds(1);

    private final DataSource dataSource;
    private final ShardPartitions shard;
    private final String groupId;
    private final ProjectionWriter writer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<TopicPartition, Long> committed = new ConcurrentHashMap<>();
    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    private final AtomicLong lag = new AtomicLong(-1);
    private final AtomicBoolean running = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Timer batchTimer;
    private final DistributionSummary batchRecords;
    private final Counter transientFailures;
    /** Writes batches one at a time while the polling thread reads the next (see {@link #pollOnce}). */
    private final ExecutorService writes;
    /** The batch being written; only the polling thread touches it. */
    private Future<?> pending;
    /** Offsets committed to PostgreSQL by the writing thread, for the polling thread to commit to the group. */
    private final Queue<Map<TopicPartition, Long>> toGroup = new ConcurrentLinkedQueue<>();
    private volatile Thread thread;
    /** Whether the group has given this member an assignment yet (possibly an empty one). */
    private volatile boolean joined;
    private volatile Throwable failure;
    private long lastLagCheck;
    /** {@link System#nanoTime()} when the batch now being written first failed; 0 while writes succeed. */
    private volatile long retryingSince;
    private volatile String retryReason;
    private long lastCommitWarning = System.nanoTime() - 120_000_000_000L;

    /**
     * @param lockName name of the read model this projector writes; a rebuild takes the same lock exclusively
     *                 to switch schemas while no batch is being written
     */
    public Projector(DataSource dataSource, KafkaClientSettings kafka, String groupId, String lockName,
                     MeterRegistry registry, ProjectionListener listener) {
        this(dataSource, kafka, groupId, lockName, registry, listener, null);
    }

    /**
     * As above, for one shard of a sharded read model: the consumer is assigned exactly the partitions of
     * {@code shard} (no group rebalancing), and its meters carry a {@code shard} tag.
     *
     * @param shard the partitions to project, or null to subscribe to all of them through the consumer group
     */
    public Projector(DataSource dataSource, KafkaClientSettings kafka, String groupId, String lockName,
                     MeterRegistry registry, ProjectionListener listener, ShardPartitions shard) {
        this.dataSource = dataSource;
        this.shard = shard;
        Tags tags = shard == null ? Tags.empty() : Tags.of("shard", String.valueOf(shard.shard()));
        this.groupId = groupId;
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // The streams write with exactly_once_v2: never project a record of an aborted transaction.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        if (shard != null) {
            // One group for every shard's projectors of every instance; a member takes only its shard's partitions.
            props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, ShardAssignor.class.getName());
            props.put(ShardAssignor.SHARD, String.valueOf(shard.shard()));
            props.put(ShardAssignor.SHARDS, String.valueOf(shard.count()));
        }
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId + (shard == null ? "" : "-shard" + shard.shard()) + "-"
                + Long.toHexString(System.nanoTime()));
        this.consumer = kafka.newConsumer(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.writer = new ProjectionWriter(dataSource, lockName, registry, listener, this::committed);
        this.writes = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "projector-writer-" + groupId + (shard == null ? "" : "-shard" + shard.shard()));
            t.setDaemon(true);
            return t;
        });
        this.batchTimer = Timer.builder("filetrail_projector_batch").tags(tags).register(registry);
        this.transientFailures = Counter.builder("filetrail_projector_transient_failures")
                .description("Kafka or offset-store failures the projector outlived by reading again from its stored offsets")
                .tags(tags).register(registry);
        this.batchRecords = DistributionSummary.builder("filetrail_projector_batch_records")
                .description("records written per projector batch (one transaction unless a bad record is isolated)")
                .tags(tags).register(registry);
        registry.gauge("filetrail_projector_lag", tags, lag);
        Gauge.builder("filetrail_projector_retrying_seconds", this, p -> p.retrying().toMillis() / 1000.0)
                .description("how long the projector has been retrying one batch after transient failures")
                .tags(tags).register(registry);
    }

    /** The projector of the query API's own read model, as {@link dev.filetrail.api.QueryApi} runs it. */
    public static Projector forApi(ApiConfig config, DataSource dataSource, MeterRegistry registry,
                                   ProjectionListener listener) {
        return new Projector(dataSource, config.kafka(), config.projectorGroupId(),
                config.databaseSchema(), registry, listener);
    }

    /**
     * Joins the consumer group and starts the poll loop on its own thread. A shard's projector joins the same group as
     * every other shard's, on every instance, and is given a share of its own shard's partitions by
     * {@link ShardAssignor}: N instances split each shard's work instead of each doing all of it.
     */
    public void start() {
        joinGroup();
        running.set(true);
        thread = new Thread(this::loop, "projector-" + groupId);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * A shard's rebuild takes exactly the partitions p with p mod N == shard of every projected topic, without a
     * consumer group's rebalancing: the shard's rows are those partitions' records, so its offsets live beside them.
     */
    private void assignShard() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : TOPICS) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .filter(info -> shard.takes(info.partition()))
                    .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        consumer.assign(partitions);
        assigned.addAll(partitions);
        seekToStored(partitions);
        log.info("projector shard assigned group={} shard={} of={} partitions={}", groupId, shard.shard(),
                shard.count(), partitions);
    }

    /** The partitions one shard's projector takes: those whose number mod {@code count} is {@code shard}. */
    public record ShardPartitions(int shard, int count) {
        public ShardPartitions {
            if (count < 1 || shard < 0 || shard >= count) {
                throw new IllegalArgumentException("shard " + shard + " of " + count);
            }
        }

        public boolean takes(int partition) {
            return partition % count == shard;
        }
    }

    /** The shard this projector writes, or null when it projects every partition. */
    public ShardPartitions shard() {
        return shard;
    }

    /**
     * For a rebuild, which polls by itself after this: joins the group, or for a shard takes all of its partitions
     * (the rebuild is the shard's only reader).
     */
    void subscribe() {
        if (shard != null) {
            assignShard();
            return;
        }
        joinGroup();
    }

    private void joinGroup() {
        consumer.subscribe(TOPICS, new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                // The batch in flight may hold records of these partitions: written (or failed) before they go.
                awaitWritten();
                partitions.forEach(committed::remove);
                assigned.removeAll(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                joined = true;
                assigned.addAll(partitions);
                seekToStored(partitions);
            }
        });
    }

    /** The partitions this projector holds now (read from any thread). */
    public Set<TopicPartition> assignedPartitions() {
        return Set.copyOf(assigned);
    }

    private void loop() {
        try {
            boolean reseek = false;
            while (running.get()) {
                try {
                    if (reseek) {
                        // A retriable failure may have come between a poll and its write: the records polled and
                        // not written are read again from the offsets PostgreSQL holds.
                        seekToStored(consumer.assignment());
                        reseek = false;
                    }
                    pollOnce(Duration.ofMillis(500));
                } catch (RuntimeException e) {
                    if (!survivable(e)) {
                        throw e;
                    }
                    reseek = true;
                    transientFailures.increment();
                    log.warn("projector retrying after a transient failure group={} reason={}", groupId, e.toString());
                    sleep(1_000);
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                failure = e;
            }
        } catch (Throwable e) {
            failure = e;
            log.error("projector stopped group={} reason={}", groupId, e.toString(), e);
        } finally {
            try {
                awaitWritten();
            } catch (RuntimeException e) {
                log.warn("projector stopped with its last batch unwritten group={} reason={}", groupId, e.toString());
            }
            writes.shutdown();
            consumer.close(Duration.ofSeconds(5));
            stopped.countDown();
        }
    }

    /**
     * Reads one batch and hands it to the writing thread; returns the number of records read. A batch gathers polls
     * across partitions while the consumer has records ready (up to {@link #BATCH_RECORDS}, and for at most
     * {@link #BATCH_GATHER}): a catch-up writes few large transactions, in which many changes of one row collapse
     * into one write, while a live record waits at most {@link #BATCH_LINGER} for company. The batch is decoded here,
     * then written in its transaction on the writing thread while this one polls and decodes the next: one batch at
     * most is in flight, and it is written (or has failed) before the next is handed over, before partitions are
     * revoked and before the projector stops; {@link #awaitWritten()} waits for it.
     */
    int pollOnce(Duration timeout) {
        commitToGroup();
        ConsumerRecords<String, byte[]> records = consumer.poll(timeout);
        if (records.isEmpty()) {
            updateLag();
            return 0;
        }
        long gatherUntil = System.nanoTime() + BATCH_GATHER.toNanos();
        List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>(records.count());
        records.forEach(batch::add);
        while (batch.size() < BATCH_RECORDS && System.nanoTime() < gatherUntil) {
            ConsumerRecords<String, byte[]> more = consumer.poll(BATCH_LINGER);
            if (more.isEmpty()) {
                break;
            }
            more.forEach(batch::add);
        }
        ProjectionWriter.Prepared prepared = writer.prepare(batch);
        awaitWritten();
        pending = writes.submit(() -> {
            Timer.Sample sample = Timer.start();
            writeWithRetry(prepared);
            sample.stop(batchTimer);
            batchRecords.record(prepared.size());
        });
        updateLag();
        return batch.size();
    }

    /**
     * Waits until the batch in flight is written; its failure (the projector stopping mid-retry) is thrown here.
     * Call only from the thread that polls.
     */
    void awaitWritten() {
        Future<?> inFlight = pending;
        if (inFlight == null) {
            return;
        }
        pending = null;
        try {
            inFlight.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while a batch was written", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            commitToGroup();
        }
    }

    /**
     * Writes a batch, retrying transient failures with back-off until they pass; nothing is committed by a failed
     * attempt, and what a bisection committed before the failure is skipped by offset on the next one.
     */
    private void writeWithRetry(ProjectionWriter.Prepared records) {
        long backoff = 100;
        while (true) {
            try {
                writer.writeOrBisect(records);
                retryingSince = 0;
                retryReason = null;
                return;
            } catch (SQLException e) {
                if (!running.get() && thread != null) {
                    throw new IllegalStateException("projector stopping with an unwritten batch", e);
                }
                WriteFailure failure = WriteFailure.of(e);
                if (retryingSince == 0) {
                    retryingSince = System.nanoTime();
                }
                retryReason = failure.reason();
                log.warn("projector batch failed, retrying group={} records={} retryingSeconds={} backoffMs={} "
                                + "sqlState={} reason={}", groupId, records.size(), retrying().toSeconds(), backoff,
                        failure.sqlState(), failure.reason());
                sleep(backoff);
                backoff = Math.min(5_000, backoff * 2);
            }
        }
    }

    /**
     * Offsets PostgreSQL has just committed (told on the writing thread): remembered, and committed to the consumer
     * group too by the polling thread ({@link #commitToGroup}; the consumer is not thread-safe).
     */
    private void committed(Map<TopicPartition, Long> offsets) {
        committed.putAll(offsets);
        toGroup.add(offsets);
    }

    /**
     * Commits to the consumer group (asynchronously, best effort) the offsets PostgreSQL committed since the last
     * call, so Kafka's and MSK's consumer-lag metrics see the projector. PostgreSQL stays their source of truth: on
     * assignment the projector seeks to the stored offsets, whatever the group holds.
     */
    private void commitToGroup() {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (Map<TopicPartition, Long> next = toGroup.poll(); next != null; next = toGroup.poll()) {
            next.forEach((partition, offset) -> offsets.merge(partition, offset, Math::max));
        }
        if (offsets.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        var assignment = consumer.assignment();
        offsets.forEach((partition, offset) -> {
            if (assignment.contains(partition)) {
                commit.put(partition, new OffsetAndMetadata(offset));
            }
        });
        if (!commit.isEmpty()) {
            consumer.commitAsync(commit, (done, error) -> {
                if (error == null) {
                    return;
                }
                // A commit lost to a rebalance is routine and the next one catches up; one that keeps failing (an
                // ACL, a missing group permission) blinds the lag alarm, so it is said at WARN once a minute.
                long now = System.nanoTime();
                if (now - lastCommitWarning > 60_000_000_000L) {
                    lastCommitWarning = now;
                    log.warn("projector offsets not committed to Kafka group={} reason={}", groupId, error.toString());
                } else {
                    log.debug("projector offsets not committed to Kafka group={} reason={}", groupId, error.toString());
                }
            });
        }
    }

    private void seekToStored(Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> stored = ProjectionOffsets.read(dataSource);
        List<TopicPartition> fromStart = new ArrayList<>();
        for (TopicPartition p : partitions) {
            Long offset = stored.get(p);
            if (offset == null) {
                fromStart.add(p);
            } else {
                consumer.seek(p, offset);
                committed.put(p, offset);
            }
        }
        if (!fromStart.isEmpty()) {
            consumer.seekToBeginning(fromStart);
        }
        log.info("projector assigned group={} partitions={} resumed={}", groupId, partitions.size(),
                partitions.size() - fromStart.size());
    }

    /** Next offsets stored in a read model's {@code projection_offsets}. */
    public static Map<TopicPartition, Long> readOffsets(DataSource dataSource) {
        return ProjectionOffsets.read(dataSource);
    }

    private void updateLag() {
        long now = System.nanoTime();
        if (now - lastLagCheck < 1_000_000_000L && lag.get() >= 0) {
            return;
        }
        lastLagCheck = now;
        var assignment = consumer.assignment();
        if (assignment.isEmpty()) {
            // A member the group gave nothing (more instances than a shard has partitions) has nothing to catch up;
            // before its first assignment it does not know yet.
            if (joined) {
                lag.set(0);
            }
            return;
        }
        // Positions, not committed offsets: with read_committed the last offset of a partition is often a
        // transaction marker no record will ever be committed for.
        Map<TopicPartition, Long> ends;
        try {
            ends = consumer.endOffsets(assignment, Duration.ofSeconds(2));
        } catch (TimeoutException e) {
            // The gauge keeps its last value; a slow broker must not stop the projection it only reports on.
            log.debug("projector lag not measured group={} reason={}", groupId, e.toString());
            return;
        }
        long total = 0;
        for (TopicPartition p : assignment) {
            total += Math.max(0, ends.getOrDefault(p, 0L) - consumer.position(p));
        }
        lag.set(total);
    }

    /** Consumer positions of the assigned partitions; call only from the thread that polls. */
    Map<TopicPartition, Long> positions() {
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (TopicPartition p : consumer.assignment()) {
            positions.put(p, consumer.position(p));
        }
        return positions;
    }

    /** Assigned partitions; call only from the thread that polls. */
    java.util.Set<TopicPartition> assignment() {
        return consumer.assignment();
    }

    /** Records between the committed offsets and the ends of the assigned partitions; -1 before the first check. */
    public long lag() {
        return lag.get();
    }

    /** Next offsets committed to PostgreSQL by this projector, per assigned partition. */
    public Map<TopicPartition, Long> committedOffsets() {
        return Map.copyOf(committed);
    }

    /** How long the batch now being written has been retried after transient failures; zero while writes succeed. */
    public Duration retrying() {
        long since = retryingSince;
        return since == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - since);
    }

    /** Why the batch now being written failed last, or null while writes succeed. */
    public String retryReason() {
        return retryingSince == 0 ? null : retryReason;
    }

    public boolean isRunning() {
        return running.get() && stopped.getCount() > 0 && failure == null;
    }

    public Throwable failure() {
        return failure;
    }

    @Override
    public void close() {
        if (running.getAndSet(false) && thread != null) {
            consumer.wakeup();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else if (thread == null) {
            try {
                awaitWritten();
            } finally {
                writes.shutdown();
                consumer.close(Duration.ofSeconds(5));
            }
        }
    }

    /**
     * A failure the loop outlives: Kafka's retriable errors (a timed-out offset lookup on a busy broker), and the
     * stored offsets unreadable while PostgreSQL restarts (thrown from the assignment callback, so Kafka hands it
     * back from {@code poll} wrapped).
     */
    private static boolean survivable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RetriableException || t instanceof ProjectionOffsets.Unreadable) {
                return true;
            }
        }
        return false;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
