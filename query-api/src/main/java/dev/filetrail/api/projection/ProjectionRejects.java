package dev.filetrail.api.projection;

import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.api.StoredKey;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records the projector parked in {@code projection_rejects}: listed, shown with their bytes, and retried after
 * a fix. A retry re-reads the stored bytes through the projector's own writer, in one transaction holding the
 * partition's offset row (as the live projector's transactions do, so neither writes the row meanwhile). A reject
 * that applies leaves the table. One that a later record of the same row has already been projected over leaves it
 * too, unwritten: writing it would move that row back in time. One that fails again stays, with its new reason.
 */
public final class ProjectionRejects {
    private static final Logger log = LoggerFactory.getLogger(ProjectionRejects.class);
    private static final Duration SCAN_STALL = Duration.ofSeconds(30);

    private final DataSource dataSource;
    private final KafkaClientSettings kafka;
    private final String lockName;

    /** @param lockName the read model's name (its schema), whose lock the projector and rebuilds share */
    public ProjectionRejects(DataSource dataSource, KafkaClientSettings kafka, String lockName) {
        this.dataSource = dataSource;
        this.kafka = kafka;
        this.lockName = lockName;
    }

    /** One parked record; {@code id} is {@code topic:partition:offset}. */
    public record Reject(String id, String topic, int partition, long offset, String recordKey, String reason,
                         Instant rejectedAt, int retries, Instant retriedAt, int bytes) {
    }

    /** A reject with its bytes: as UTF-8 text when they are, else base64. */
    public record Detail(Reject reject, String payloadText, String payloadBase64) {
    }

    /** The first {@code limit} rejects, oldest first, and how many there are per topic. */
    public record Listing(long count, Map<String, Long> byTopic, List<Reject> rejects) {
    }

    /** What a retry did with one reject. */
    public enum Outcome { APPLIED, SUPERSEDED, STILL_REJECTED, NOT_FOUND }

    /** One reject's retry; {@code detail} says why it is still rejected, or which offset superseded it. */
    public record Retried(String id, Outcome outcome, String detail) {
    }

    /** {@code id} when it is a reject id ({@code topic:partition:offset}); else IllegalArgumentException saying so. */
    public static String checkId(String id) {
        return Id.parse(id).toString();
    }

    private static final String COLUMNS = "topic, partition, record_offset, record_key, reason, rejected_at, retries, "
            + "retried_at, octet_length(payload)";

    public Listing list(int limit) {
        try (Connection c = dataSource.getConnection()) {
            Map<String, Long> byTopic = new LinkedHashMap<>();
            long count = 0;
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT topic, count(*) FROM projection_rejects GROUP BY topic ORDER BY topic");
                 ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    byTopic.put(rs.getString(1), rs.getLong(2));
                    count += rs.getLong(2);
                }
            }
            List<Reject> rejects = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM projection_rejects"
                    + " ORDER BY rejected_at, topic, partition, record_offset LIMIT ?")) {
                s.setInt(1, limit);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        rejects.add(reject(rs));
                    }
                }
            }
            return new Listing(count, byTopic, rejects);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read projection_rejects: " + e.getMessage(), e);
        }
    }

    public Optional<Detail> show(String id) {
        Id at = Id.parse(id);
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS
                + ", payload FROM projection_rejects WHERE topic = ? AND partition = ? AND record_offset = ?")) {
            at.bind(s);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                byte[] payload = rs.getBytes(10);
                String text = payload == null ? null : utf8(payload);
                return Optional.of(new Detail(reject(rs), text,
                        payload == null || text != null ? null : Base64.getEncoder().encodeToString(payload)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read projection_rejects: " + e.getMessage(), e);
        }
    }

    /**
     * Retries the given rejects, or every one when {@code ids} is empty, oldest first; a dry run does all the work
     * and rolls each transaction back.
     */
    public List<Retried> retry(List<String> ids, boolean dryRun) {
        List<Id> targets = new ArrayList<>();
        if (ids.isEmpty()) {
            list(Integer.MAX_VALUE).rejects().forEach(r -> targets.add(new Id(r.topic(), r.partition(), r.offset())));
        } else {
            ids.forEach(id -> targets.add(Id.parse(id)));
        }
        List<Retried> results = new ArrayList<>();
        for (Id target : targets) {
            try {
                Retried retried = retryOne(target, dryRun);
                log.info("projection reject retried id={} outcome={} dryRun={} detail={}", retried.id(),
                        retried.outcome(), dryRun, retried.detail());
                results.add(retried);
            } catch (SQLException e) {
                throw new IllegalStateException("retry of " + target + " failed (" + WriteFailure.of(e).reason()
                        + "); nothing of it was written", e);
            }
        }
        return results;
    }

    private Retried retryOne(Id target, boolean dryRun) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Retried retried = retryOne(c, target);
                if (dryRun) {
                    c.rollback();
                } else {
                    c.commit();
                }
                return retried;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private Retried retryOne(Connection c, Id target) throws SQLException {
        ProjectionOffsets.lockShared(c, lockName);
        TopicPartition partition = new TopicPartition(target.topic(), target.partition());
        long projectedUpTo = ProjectionOffsets.lock(c, List.of(partition)).getOrDefault(partition, 0L);
        ConsumerRecord<String, byte[]> record;
        try (PreparedStatement s = c.prepareStatement("SELECT record_key, payload FROM projection_rejects"
                + " WHERE topic = ? AND partition = ? AND record_offset = ? FOR UPDATE")) {
            target.bind(s);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return new Retried(target.toString(), Outcome.NOT_FOUND, "no such reject");
                }
                record = new ConsumerRecord<>(target.topic(), target.partition(), target.offset(),
                        StoredKey.fromColumn(rs.getString(1)), rs.getBytes(2));
            }
        }
        Long newer = newerRecordOfTheSameRow(record, projectedUpTo);
        if (newer != null) {
            delete(c, target);
            return new Retried(target.toString(), Outcome.SUPERSEDED, "offset " + newer + " of the same row is projected");
        }
        ReadModelWriter writer = new ReadModelWriter();
        writer.add(record);
        if (!writer.rejects().isEmpty()) {
            return stillRejected(c, target, writer.rejects().get(0).reason());
        }
        Savepoint beforeRows = c.setSavepoint();
        try {
            writer.flush(c);
        } catch (SQLException e) {
            WriteFailure failure = WriteFailure.of(e);
            if (!failure.dataError()) {
                throw e;
            }
            c.rollback(beforeRows);
            return stillRejected(c, target, failure.reason());
        }
        delete(c, target);
        return new Retried(target.toString(), Outcome.APPLIED, null);
    }

    private static Retried stillRejected(Connection c, Id target, String reason) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE projection_rejects SET reason = ?, retries = retries + 1,"
                + " retried_at = now() WHERE topic = ? AND partition = ? AND record_offset = ?")) {
            s.setString(1, ReadModelWriter.reasonColumn(reason));
            s.setString(2, target.topic());
            s.setInt(3, target.partition());
            s.setLong(4, target.offset());
            s.executeUpdate();
        }
        return new Retried(target.toString(), Outcome.STILL_REJECTED, reason);
    }

    private static void delete(Connection c, Id target) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "DELETE FROM projection_rejects WHERE topic = ? AND partition = ? AND record_offset = ?")) {
            target.bind(s);
            s.executeUpdate();
        }
    }

    /**
     * The offset of a record after {@code record}, below {@code projectedUpTo} (so already projected), that writes
     * the same row; null when there is none. Reads that stretch of the partition from Kafka.
     */
    private Long newerRecordOfTheSameRow(ConsumerRecord<String, byte[]> record, long projectedUpTo) {
        List<String> row = ReadModelWriter.rowOf(record);
        if (row == null || projectedUpTo <= record.offset() + 1) {
            return null;
        }
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        try (KafkaConsumer<String, byte[]> consumer = kafka.newConsumer(Map.of(
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seek(partition, record.offset() + 1);
            long lastProgress = System.nanoTime();
            long position = record.offset() + 1;
            while (position < projectedUpTo) {
                for (ConsumerRecord<String, byte[]> later : consumer.poll(Duration.ofMillis(500))) {
                    if (later.offset() < projectedUpTo && row.equals(ReadModelWriter.rowOf(later))) {
                        return later.offset();
                    }
                }
                long now = consumer.position(partition);
                if (now > position) {
                    position = now;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > SCAN_STALL.toNanos()) {
                    throw new IllegalStateException("cannot read " + partition + " from offset " + position
                            + " up to " + projectedUpTo + " to check the reject against later records");
                }
            }
            return null;
        }
    }

    private static Reject reject(ResultSet rs) throws SQLException {
        Id id = new Id(rs.getString(1), rs.getInt(2), rs.getLong(3));
        Timestamp retried = rs.getTimestamp(8);
        return new Reject(id.toString(), id.topic(), id.partition(), id.offset(), StoredKey.fromColumn(rs.getString(4)),
                rs.getString(5), rs.getTimestamp(6).toInstant(), rs.getInt(7),
                retried == null ? null : retried.toInstant(), rs.getInt(9));
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** A reject's identity, written {@code topic:partition:offset}. */
    record Id(String topic, int partition, long offset) {
        static Id parse(String id) {
            int last = id == null ? -1 : id.lastIndexOf(':');
            int middle = last <= 0 ? -1 : id.lastIndexOf(':', last - 1);
            try {
                if (middle <= 0) {
                    throw new NumberFormatException();
                }
                return new Id(id.substring(0, middle), Integer.parseInt(id.substring(middle + 1, last)),
                        Long.parseLong(id.substring(last + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a reject id is topic:partition:offset "
                        + "(as `filetrail rejects list` prints it), got '" + id + "'");
            }
        }

        void bind(PreparedStatement s) throws SQLException {
            s.setString(1, topic);
            s.setInt(2, partition);
            s.setLong(3, offset);
        }

        @Override
        public String toString() {
            return topic + ":" + partition + ":" + offset;
        }
    }
}
