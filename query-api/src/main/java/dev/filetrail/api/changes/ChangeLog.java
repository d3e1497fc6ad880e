package dev.filetrail.api.changes;

import dev.filetrail.api.StoredKey;
import dev.filetrail.api.files.FileQueries;
import dev.filetrail.api.projection.SupersededChange;
import dev.filetrail.api.shards.ShardFanOut;
import dev.filetrail.events.Topics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Reads the {@code changes} table the projector writes: per partition the rows at or after the cursor's offset,
 * under a prefix, each partition's in offset order (which is S3's order for every key, a key living in one
 * partition); and the projection's stored next offsets, read in the same snapshot, so a cursor can move past a
 * partition's quiet stretch without a client ever missing a row committed below it.
 *
 * <p>Over a sharded read model partition p's changes and offsets are in shard p mod N (its projector's), so each
 * shard is read for its own partitions only, in a snapshot of its own: the guarantee above is per partition, and a
 * partition lives in one shard, so it holds unchanged. The shards are read at once ({@link ShardFanOut}), each in
 * its own snapshot as before. The primaries are read: a cursor must never run ahead of what a later read (possibly
 * on another instance) sees.
 */
final class ChangeLog {
    private static final String TOPIC = Topics.FILE_VERSIONS.name();
    private static final String COLUMNS = "topic_partition, record_offset, key, version_id, change, version::text, "
            + "head::text, event_time";

    /** Every shard's primary, by index; partition p is shard p mod size's. */
    private final List<DataSource> shards;
    private final ShardFanOut fanOut;

    ChangeLog(List<DataSource> shards, ShardFanOut fanOut) {
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("no shards");
        }
        this.shards = List.copyOf(shards);
        this.fanOut = fanOut;
    }

    /** One change as stored: version and head are the record's JSON. */
    record Row(int partition, long offset, String key, String versionId, String change, String version, String head,
               Instant eventTime) {
    }

    /**
     * A page: the rows, the cursor's next offsets after them, whether more may follow at once, and the projection's
     * next offsets in the same snapshot.
     */
    record Page(List<Row> rows, long[] next, boolean hasMore, long[] projected) {
    }

    /** The projection's next offset per partition (0 for one it has not reached): where "now" is. */
    long[] latest(int partitions) {
        List<long[]> perShard = fanOut.each(shards.size(), shard -> {
            try (Connection connection = shards.get(shard).getConnection()) {
                return projected(connection, partitions);
            } catch (SQLException e) {
                throw new IllegalStateException("could not read the projection's offsets of shard " + shard, e);
            }
        });
        long[] next = new long[partitions];
        for (int shard = 0; shard < shards.size(); shard++) {
            for (int p = shard; p < partitions; p += shards.size()) {
                next[p] = perShard.get(shard)[p];
            }
        }
        return next;
    }

    /**
     * Up to {@code limit} changes in {@code bucket} under {@code prefix} at or after {@code after}, in one snapshot
     * with the projection's offsets.
     */
    Page read(String bucket, String prefix, long[] after, int limit) {
        List<ShardRead> reads = fanOut.each(shards.size(), shard -> readShard(shard, bucket, prefix, after, limit));
        long[] projected = new long[after.length];
        List<List<Row>> perPartition = new ArrayList<>();
        for (int p = 0; p < after.length; p++) {
            // Only each shard's own partitions: rows and offsets of others (left from before the read model was
            // sharded) are not its projector's and must not be read.
            ShardRead own = reads.get(p % shards.size());
            projected[p] = own.projected()[p];
            perPartition.add(own.rows().get(p));
        }
        return page(perPartition, after, projected, limit);
    }

    /** One shard's projection offsets and rows per partition, read in one snapshot. */
    private record ShardRead(long[] projected, List<List<Row>> rows) {
    }

    /** Shard {@code shard}'s offsets and its own partitions' rows, in one snapshot. */
    private ShardRead readShard(int shard, String bucket, String prefix, long[] after, int limit) {
        try (Connection connection = shards.get(shard).getConnection()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            try {
                long[] own = projected(connection, after.length);
                List<List<Row>> rows = rows(connection, bucket, prefix, after, ownOnly(own, shard, after), limit);
                connection.commit();
                return new ShardRead(own, rows);
            } finally {
                connection.rollback();
                connection.setReadOnly(false);
                connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read changes of bucket " + bucket + " from shard " + shard, e);
        }
    }

    /** {@code projected} for this shard's partitions; the cursor's own position (nothing to read) for the others. */
    private long[] ownOnly(long[] projected, int shard, long[] after) {
        long[] bounded = new long[after.length];
        for (int p = 0; p < after.length; p++) {
            bounded[p] = p % shards.size() == shard ? projected[p] : after[p];
        }
        return bounded;
    }

    /** Whether any change in {@code bucket} under {@code prefix} lies at or after {@code after}. */
    boolean anyAfter(String bucket, String prefix, long[] after) {
        return !read(bucket, prefix, after, 1).rows().isEmpty();
    }

    /**
     * Deletes changes projected before {@code horizon} that a later change of the same file supersedes (as Kafka
     * compacts): the newest change of every file stays, with the file's state, so a sync from no cursor still ends
     * with every file; only cursors older than the horizon lose changes, and those are answered with a reset.
     */
    int prune(Instant horizon, int batch) {
        // One shard after another: pruning is the feed's hourly background work, not a request's wait, and deletes
        // are better spread over time than put on every shard at once.
        int deleted = 0;
        for (int shard = 0; shard < shards.size(); shard++) {
            deleted += prune(shards.get(shard), shard, horizon, batch);
        }
        return deleted;
    }

    private static int prune(DataSource dataSource, int shard, Instant horizon, int batch) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement("DELETE FROM changes WHERE (topic_partition, "
                     + "record_offset) IN (SELECT o.topic_partition, o.record_offset FROM changes o"
                     + " WHERE o.projected_at < ? AND " + SupersededChange.condition("changes", "o") + " LIMIT ?)")) {
            delete.setTimestamp(1, Timestamp.from(horizon));
            delete.setInt(2, batch);
            return delete.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not prune changes of shard " + shard, e);
        }
    }

    private static long[] projected(Connection connection, int partitions) throws SQLException {
        long[] next = new long[partitions];
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT partition, next_offset FROM projection_offsets WHERE topic = ?")) {
            select.setString(1, TOPIC);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    int partition = rs.getInt(1);
                    if (partition >= 0 && partition < partitions) {
                        next[partition] = rs.getLong(2);
                    }
                }
            }
        }
        return next;
    }

    /** One index range per partition that can hold anything new: a partition the cursor is level with costs nothing. */
    private static List<List<Row>> rows(Connection connection, String bucket, String prefix, long[] after,
                                        long[] projected, int limit) throws SQLException {
        String from = StoredKey.toColumn(prefix);
        String until = FileQueries.successor(from);
        List<Integer> partitions = new ArrayList<>();
        for (int p = 0; p < after.length; p++) {
            if (after[p] < projected[p]) {
                partitions.add(p);
            }
        }
        List<List<Row>> perPartition = new ArrayList<>();
        for (int p = 0; p < after.length; p++) {
            perPartition.add(new ArrayList<>());
        }
        if (partitions.isEmpty()) {
            return perPartition;
        }
        String one = "(SELECT " + COLUMNS + " FROM changes WHERE bucket = ? AND topic_partition = ? "
                + "AND record_offset >= ? AND record_offset < ? AND key >= ?" + (until == null ? "" : " AND key < ?")
                + " ORDER BY record_offset LIMIT ?)";
        String sql = String.join(" UNION ALL ", java.util.Collections.nCopies(partitions.size(), one));
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            int i = 1;
            for (int p : partitions) {
                select.setString(i++, bucket);
                select.setInt(i++, p);
                select.setLong(i++, after[p]);
                select.setLong(i++, projected[p]);
                select.setString(i++, from);
                if (until != null) {
                    select.setString(i++, until);
                }
                select.setInt(i++, limit);
            }
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    Timestamp time = rs.getTimestamp(8);
                    Row row = new Row(rs.getInt(1), rs.getLong(2), StoredKey.fromColumn(rs.getString(3)),
                            rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
                            time == null ? null : time.toInstant());
                    perPartition.get(row.partition()).add(row);
                }
            }
        }
        return perPartition;
    }

    /**
     * Merges the partitions' runs by event time (each run stays in offset order, which is all order means across
     * partitions) and takes {@code limit}. A partition whose whole remainder was taken moves to the projection's
     * offset; one cut short moves just past its last row taken.
     */
    private static Page page(List<List<Row>> perPartition, long[] after, long[] projected, int limit) {
        int partitions = after.length;
        int[] taken = new int[partitions];
        List<Row> rows = new ArrayList<>();
        while (rows.size() < limit) {
            int best = -1;
            for (int p = 0; p < partitions; p++) {
                List<Row> run = perPartition.get(p);
                if (taken[p] < run.size() && (best < 0 || earlier(run.get(taken[p]), perPartition.get(best)
                        .get(taken[best])))) {
                    best = p;
                }
            }
            if (best < 0) {
                break;
            }
            rows.add(perPartition.get(best).get(taken[best]++));
        }
        long[] next = new long[partitions];
        boolean hasMore = false;
        for (int p = 0; p < partitions; p++) {
            List<Row> run = perPartition.get(p);
            boolean exhausted = taken[p] == run.size() && run.size() < limit;
            if (exhausted) {
                next[p] = Math.max(after[p], projected[p]);
            } else {
                hasMore = true;
                next[p] = taken[p] == 0 ? after[p] : run.get(taken[p] - 1).offset() + 1;
            }
        }
        return new Page(rows, next, hasMore, projected);
    }

    private static boolean earlier(Row a, Row b) {
        if (a.eventTime() == null || b.eventTime() == null) {
            return a.eventTime() == null && b.eventTime() != null;
        }
        return a.eventTime().isBefore(b.eventTime());
    }
}
