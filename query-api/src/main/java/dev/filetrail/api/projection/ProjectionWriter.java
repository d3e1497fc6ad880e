package dev.filetrail.api.projection;

import dev.filetrail.events.Json;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes polled records into the read model: each batch in one transaction with its partitions' next offsets
 * ({@link ProjectionOffsets}), records below the stored offset skipped, and a record that can never be written found
 * by bisection and parked in {@code projection_rejects}. Retrying transient failures is the caller's job.
 */
final class ProjectionWriter {
    /** The projector's logger: the reject alarm and operators search its lines under that name. */
    private static final Logger log = LoggerFactory.getLogger(Projector.class);

    private final DataSource dataSource;
    private final String lockName;
    private final ProjectionListener listener;
    private final Consumer<Map<TopicPartition, Long>> onCommitted;
    private final Counter applied;
    private final Counter skipped;
    private final Counter rejected;

    /**
     * @param lockName    the read model's lock (see {@link ProjectionOffsets#lockShared})
     * @param onCommitted hears the next offsets of every committed transaction
     */
    ProjectionWriter(DataSource dataSource, String lockName, MeterRegistry registry, ProjectionListener listener,
                     Consumer<Map<TopicPartition, Long>> onCommitted) {
        this.dataSource = dataSource;
        this.lockName = lockName;
        this.listener = listener;
        this.onCommitted = onCommitted;
        this.applied = Counter.builder("filetrail_projector_records").tag("outcome", "applied").register(registry);
        this.skipped = Counter.builder("filetrail_projector_records").tag("outcome", "skipped").register(registry);
        this.rejected = Counter.builder("filetrail_projector_records").tag("outcome", "rejected").register(registry);
    }

    /**
     * Writes {@code records} in one transaction. When a data error fails it, the records are split in halves, each
     * written in a fresh transaction of its own, down to the one record that cannot be written, which is parked in
     * {@code projection_rejects} with its offset; every other record is applied. Fresh transactions rather than
     * savepoints keep one shape for every write (rows and offsets together), and a transient failure in the middle
     * only repeats the halves not yet committed.
     */
    void writeOrBisect(List<ConsumerRecord<String, byte[]>> records) throws SQLException {
        writeOrBisect(prepare(records));
    }

    /**
     * A batch read into rows ahead of its transaction: the projector reads the next batch while PostgreSQL writes
     * the one before (decoding is most of the JVM's work, writing most of PostgreSQL's).
     */
    Prepared prepare(List<ConsumerRecord<String, byte[]>> records) {
        ReadModelWriter rows = new ReadModelWriter();
        Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> byPartition = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            byPartition.computeIfAbsent(new TopicPartition(record.topic(), record.partition()), p -> new ArrayList<>())
                    .add(record);
            rows.add(record);
        }
        return new Prepared(records, byPartition, rows);
    }

    /** A batch's records (in partition and offset order, as polls return them), by partition, and read into rows. */
    record Prepared(List<ConsumerRecord<String, byte[]>> records,
                    Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> byPartition, ReadModelWriter rows) {
        int size() {
            return records.size();
        }
    }

    /** {@link #writeOrBisect(List)} of a prepared batch. */
    void writeOrBisect(Prepared batch) throws SQLException {
        try {
            write(batch);
        } catch (SQLException e) {
            WriteFailure failure = WriteFailure.of(e);
            if (!failure.dataError()) {
                throw e;
            }
            List<ConsumerRecord<String, byte[]>> records = batch.records();
            if (records.size() == 1) {
                reject(records.get(0), failure.reason());
                return;
            }
            int half = records.size() / 2;
            writeOrBisect(records.subList(0, half));
            writeOrBisect(records.subList(half, records.size()));
        }
    }

    private void write(Prepared batch) throws SQLException {
        Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> byPartition = batch.byPartition();
        ReadModelWriter writer = batch.rows();
        Map<TopicPartition, Long> nextOffsets = new HashMap<>();
        int applyCount = 0;
        int skipCount = 0;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                ProjectionOffsets.lockShared(connection, lockName);
                Map<TopicPartition, Long> stored = ProjectionOffsets.lock(connection, byPartition.keySet());
                List<ConsumerRecord<String, byte[]>> applicable = new ArrayList<>(batch.size());
                for (Map.Entry<TopicPartition, List<ConsumerRecord<String, byte[]>>> partition : byPartition.entrySet()) {
                    long floor = stored.getOrDefault(partition.getKey(), 0L);
                    long next = floor;
                    for (ConsumerRecord<String, byte[]> record : partition.getValue()) {
                        if (record.offset() < floor) {
                            skipCount++;
                            continue;
                        }
                        applicable.add(record);
                        applyCount++;
                        next = record.offset() + 1;
                    }
                    nextOffsets.put(partition.getKey(), next);
                }
                // Read ahead of the transaction, unless another projector (or an earlier attempt) already wrote part
                // of the batch: then only the rest is read again.
                if (skipCount > 0) {
                    writer = new ReadModelWriter();
                    applicable.forEach(writer::add);
                }
                writer.flush(connection);
                // Delivered by PostgreSQL only if this transaction commits: waiters never hear of rows not there.
                ProjectionNotices.send(connection, writer.changedFiles());
                ProjectionOffsets.store(connection, nextOffsets);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                rollback(connection, e);
                throw e;
            }
        }
        onCommitted.accept(nextOffsets);
        applied.increment(applyCount - writer.rejects().size());
        skipped.increment(skipCount);
        for (ReadModelWriter.Reject reject : writer.rejects()) {
            rejected(reject.record(), reject.reason());
        }
        listener.committed(writer.projectedLinks());
    }

    /** Parks one record in {@code projection_rejects} and moves its partition past it, in one transaction. */
    private void reject(ConsumerRecord<String, byte[]> record, String reason) throws SQLException {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        Map<TopicPartition, Long> next = Map.of(partition, record.offset() + 1);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                ProjectionOffsets.lockShared(connection, lockName);
                if (ProjectionOffsets.lock(connection, List.of(partition)).getOrDefault(partition, 0L) > record.offset()) {
                    // Another projector of this read model got past it first.
                    connection.rollback();
                    skipped.increment();
                    return;
                }
                ReadModelWriter.insertRejects(connection, List.of(new ReadModelWriter.Reject(record, reason)));
                ProjectionOffsets.store(connection, next);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                rollback(connection, e);
                throw e;
            }
        }
        onCommitted.accept(next);
        rejected(record, reason);
    }

    /**
     * Rolls back after {@code failure}; when the connection is gone too (its backend terminated), the rollback's own
     * error is kept beside the failure instead of replacing it, so the retry's reason names what happened.
     */
    private static void rollback(Connection connection, Exception failure) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    private void rejected(ConsumerRecord<String, byte[]> record, String reason) {
        rejected.increment();
        // The alarm in deploy/aws matches the start of this line.
        log.error("projector rejected record topic={} partition={} offset={} recordKey={} reason={}", record.topic(),
                record.partition(), record.offset(), printable(record.key()), reason);
    }

    /** A key as one log token: JSON-quoted, so control characters cannot forge or break log lines. */
    static String printable(String key) {
        return key == null ? "null" : Json.writeString(key);
    }
}
