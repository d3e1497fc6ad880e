package dev.filetrail.api.projection;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.ReadModelDatabase;
import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.events.kafka.RequiredTopics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Projects {@code file-versions}, {@code files}, {@code share-links} and {@code audit} into PostgreSQL. Each
 * poll is written in one transaction together with the next offsets of its partitions, and records below the
 * stored offset are skipped inside that transaction, so a crash, a rebalance or a second projector never loses
 * or doubles a row.
 */
public final class Projector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Projector.class);
    public static final List<String> TOPICS = List.of(Topics.FILE_VERSIONS, Topics.FILES, Topics.SHARE_LINKS,
            Topics.AUDIT);

    private final DataSource dataSource;
    private final String groupId;
    private final String lockName;
    private final ProjectionListener listener;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<TopicPartition, Long> committed = new ConcurrentHashMap<>();
    private final AtomicLong lag = new AtomicLong(-1);
    private final AtomicBoolean running = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Counter applied;
    private final Counter skipped;
    private final Counter rejected;
    private final Timer batchTimer;
    private volatile Thread thread;
    private volatile Throwable failure;
    private long lastLagCheck;
    private ReadModelDatabase ownedDatabase;
    private HttpServer metricsServer;

    /**
     * @param lockName name of the read model this projector writes; a rebuild takes the same lock exclusively
     *                 to switch schemas while no batch is being written
     */
    public Projector(DataSource dataSource, KafkaClientSettings kafka, String groupId, String lockName,
                     MeterRegistry registry, ProjectionListener listener) {
        this.dataSource = dataSource;
        this.groupId = groupId;
        this.lockName = lockName;
        this.listener = listener;
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // The streams write with exactly_once_v2: never project a record of an aborted transaction.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1000");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId + "-" + Long.toHexString(System.nanoTime()));
        this.consumer = kafka.newConsumer(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.applied = Counter.builder("filetrail_projector_records").tag("outcome", "applied").register(registry);
        this.skipped = Counter.builder("filetrail_projector_records").tag("outcome", "skipped").register(registry);
        this.rejected = Counter.builder("filetrail_projector_records").tag("outcome", "rejected").register(registry);
        this.batchTimer = Timer.builder("filetrail_projector_batch").register(registry);
        registry.gauge("filetrail_projector_lag", lag);
    }

    /** The projector of the query API's own read model, as {@link dev.filetrail.api.QueryApi} runs it. */
    public static Projector forApi(ApiConfig config, DataSource dataSource, MeterRegistry registry,
                                   ProjectionListener listener) {
        return new Projector(dataSource, config.kafka(), config.projectorGroupId(),
                config.databaseSchema(), registry, listener);
    }

    /**
     * A projector running alone ({@code filetrail projector}): its own pool, migrations, topics checked, and a
     * small HTTP server on {@code config.port()} (0 = free) with {@code /health} and {@code /metrics}.
     */
    public static Projector open(ApiConfig config) {
        ReadModelDatabase database = ReadModelDatabase.forApi(config, "projector");
        try {
            database.migrate();
            verifyTopics(config);
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            Projector projector = forApi(config, database.dataSource(), registry, ProjectionListener.NONE);
            projector.ownedDatabase = database;
            projector.metricsServer = metricsServer(config.port(), registry, projector);
            return projector;
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    private static HttpServer metricsServer(int port, PrometheusMeterRegistry registry, Projector projector) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(port), 16);
            server.createContext("/health", exchange -> respond(exchange, projector.isRunning() ? 200 : 503,
                    "application/json", "{\"status\":\"" + (projector.isRunning() ? "UP" : "DOWN") + "\",\"lag\":"
                            + projector.lag() + "}"));
            server.createContext("/metrics", exchange -> respond(exchange, 200,
                    "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
            server.start();
            log.info("projector metrics listening port={}", server.getAddress().getPort());
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("projector metrics cannot listen on port " + port, e);
        }
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    /** Port of the standalone projector's /health and /metrics server, or -1 when it has none. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.getAddress().getPort();
    }

    /** The projector's topics must exist before it starts (creating them is the operator's job). */
    static void verifyTopics(ApiConfig config) {
        try (Admin admin = config.kafka().newAdmin()) {
            RequiredTopics.verify(admin, TOPICS);
        }
    }

    /** Subscribes and starts the poll loop on its own thread. */
    public void start() {
        subscribe();
        running.set(true);
        thread = new Thread(this::loop, "projector-" + groupId);
        thread.setDaemon(true);
        thread.start();
    }

    void subscribe() {
        consumer.subscribe(TOPICS, new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                partitions.forEach(committed::remove);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                seekToStored(partitions);
            }
        });
    }

    private void loop() {
        try {
            while (running.get()) {
                pollOnce(Duration.ofMillis(500));
            }
        } catch (WakeupException e) {
            if (running.get()) {
                failure = e;
            }
        } catch (Throwable e) {
            failure = e;
            log.error("projector stopped group={} reason={}", groupId, e.toString(), e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
            stopped.countDown();
        }
    }

    /** One poll and its transaction; returns the number of records the poll returned. */
    int pollOnce(Duration timeout) {
        ConsumerRecords<String, byte[]> records = consumer.poll(timeout);
        if (!records.isEmpty()) {
            Timer.Sample sample = Timer.start();
            writeWithRetry(records);
            sample.stop(batchTimer);
        }
        updateLag();
        return records.count();
    }

    private void writeWithRetry(ConsumerRecords<String, byte[]> records) {
        long backoff = 100;
        while (true) {
            try {
                write(records);
                return;
            } catch (SQLException e) {
                if (!running.get() && thread != null) {
                    throw new IllegalStateException("projector stopping with an unwritten batch", e);
                }
                // PostgreSQL away: the batch is not committed and its offsets neither, so retrying loses nothing.
                log.warn("projector batch failed, retrying group={} backoffMs={} reason={}", groupId, backoff,
                        e.getMessage());
                sleep(backoff);
                backoff = Math.min(5_000, backoff * 2);
            }
        }
    }

    private void write(ConsumerRecords<String, byte[]> records) throws SQLException {
        ReadModelWriter writer = new ReadModelWriter();
        Map<TopicPartition, Long> nextOffsets = new HashMap<>();
        int applyCount = 0;
        int skipCount = 0;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                lockShared(connection);
                Map<TopicPartition, Long> stored = lockOffsets(connection, records.partitions());
                for (TopicPartition partition : records.partitions()) {
                    long floor = stored.getOrDefault(partition, 0L);
                    long next = floor;
                    for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                        if (record.offset() < floor) {
                            skipCount++;
                            continue;
                        }
                        writer.add(record);
                        applyCount++;
                        next = record.offset() + 1;
                    }
                    nextOffsets.put(partition, next);
                }
                writer.flush(connection);
                storeOffsets(connection, nextOffsets);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        committed.putAll(nextOffsets);
        applied.increment(applyCount - writer.rejects().size());
        skipped.increment(skipCount);
        rejected.increment(writer.rejects().size());
        for (ReadModelWriter.Reject reject : writer.rejects()) {
            log.error("projector rejected record topic={} partition={} offset={} recordKey={} reason={}",
                    reject.record().topic(), reject.record().partition(), reject.record().offset(),
                    reject.record().key(), reject.reason());
        }
        listener.committed(writer.projectedLinks());
    }

    private void lockShared(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock_shared(?)")) {
            lock.setLong(1, lockKey(lockName));
            lock.execute();
        }
    }

    /** The advisory lock key of one read model; {@link ProjectionRebuild} takes it exclusively to switch. */
    static long lockKey(String readModel) {
        return 0x46494C45L << 32 | (readModel.hashCode() & 0xffffffffL);
    }

    private static Map<TopicPartition, Long> lockOffsets(Connection connection, Collection<TopicPartition> partitions)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO projection_offsets (topic, partition, next_offset) VALUES (?, ?, 0) ON CONFLICT DO NOTHING")) {
            for (TopicPartition p : partitions) {
                insert.setString(1, p.topic());
                insert.setInt(2, p.partition());
                insert.addBatch();
            }
            insert.executeBatch();
        }
        Map<TopicPartition, Long> stored = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT next_offset FROM projection_offsets WHERE topic = ? AND partition = ? FOR UPDATE")) {
            for (TopicPartition p : partitions) {
                select.setString(1, p.topic());
                select.setInt(2, p.partition());
                try (ResultSet rs = select.executeQuery()) {
                    stored.put(p, rs.next() ? rs.getLong(1) : 0L);
                }
            }
        }
        return stored;
    }

    private static void storeOffsets(Connection connection, Map<TopicPartition, Long> offsets) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE projection_offsets SET next_offset = GREATEST(next_offset, ?), updated_at = now() "
                        + "WHERE topic = ? AND partition = ?")) {
            for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
                update.setLong(1, e.getValue());
                update.setString(2, e.getKey().topic());
                update.setInt(3, e.getKey().partition());
                update.addBatch();
            }
            update.executeBatch();
        }
    }

    private void seekToStored(Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> stored = readOffsets(dataSource);
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
        Map<TopicPartition, Long> stored = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT topic, partition, next_offset FROM projection_offsets");
             ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                stored.put(new TopicPartition(rs.getString(1), rs.getInt(2)), rs.getLong(3));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read projection offsets", e);
        }
        return stored;
    }

    private void updateLag() {
        long now = System.nanoTime();
        if (now - lastLagCheck < 1_000_000_000L && lag.get() >= 0) {
            return;
        }
        lastLagCheck = now;
        var assignment = consumer.assignment();
        if (assignment.isEmpty()) {
            return;
        }
        // Positions, not committed offsets: with read_committed the last offset of a partition is often a
        // transaction marker no record will ever be committed for.
        Map<TopicPartition, Long> ends = consumer.endOffsets(assignment, Duration.ofSeconds(2));
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
            consumer.close(Duration.ofSeconds(5));
        }
        if (metricsServer != null) {
            metricsServer.stop(0);
        }
        if (ownedDatabase != null) {
            ownedDatabase.close();
        }
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
