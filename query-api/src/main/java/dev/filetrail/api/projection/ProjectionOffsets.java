package dev.filetrail.api.projection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.common.TopicPartition;

/**
 * The projection's offsets in PostgreSQL ({@code projection_offsets}: the next offset of each partition, written in
 * the same transaction as the rows) and the read model's advisory lock, which every write takes shared and a
 * rebuild exclusively to switch schemas.
 */
final class ProjectionOffsets {
    private ProjectionOffsets() {
    }

    /** Takes the read model's lock shared for this transaction: rebuilds wait for it to switch schemas. */
    static void lockShared(Connection connection, String lockName) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock_shared(?)")) {
            lock.setLong(1, lockKey(lockName));
            lock.execute();
        }
    }

    /** The advisory lock key of one read model; {@link ProjectionRebuild} takes it exclusively to switch. */
    static long lockKey(String readModel) {
        return 0x46494C45L << 32 | (readModel.hashCode() & 0xffffffffL);
    }

    /** Locks the partitions' rows for this transaction (creating them at 0) and returns their next offsets. */
    static Map<TopicPartition, Long> lock(Connection connection, Collection<TopicPartition> partitions)
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

    /** Moves the partitions' next offsets forward (never back) in this transaction. */
    static void store(Connection connection, Map<TopicPartition, Long> offsets) throws SQLException {
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

    /** Next offsets stored in a read model's {@code projection_offsets}. */
    static Map<TopicPartition, Long> read(DataSource dataSource) {
        Map<TopicPartition, Long> stored = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT topic, partition, next_offset FROM projection_offsets");
             ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                stored.put(new TopicPartition(rs.getString(1), rs.getInt(2)), rs.getLong(3));
            }
        } catch (SQLException e) {
            throw new Unreadable(e);
        }
        return stored;
    }

    /** The stored offsets could not be read (PostgreSQL unreachable): nothing was decided, the caller may retry. */
    static final class Unreadable extends RuntimeException {
        Unreadable(SQLException cause) {
            super("cannot read projection offsets: " + cause.getMessage(), cause);
        }
    }
}
