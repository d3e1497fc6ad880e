package dev.filetrail.api.files;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots of every key's head per bucket, so that an as-of listing reads a prefix in key order and descends into the
 * history only for keys that changed between the snapshot and the instant asked for (schema and marking rules:
 * {@code V7__as_of_snapshots.sql}).
 */
public final class AsOfSnapshots {
    private static final Logger log = LoggerFactory.getLogger(AsOfSnapshots.class);
    /** Keys filled per statement: a fill is resumable, and no statement holds its locks for long. */
    private static final int FILL_BATCH = 5_000;
    /** Head rows of dropped snapshots deleted per statement. */
    private static final int DROP_BATCH = 10_000;

    /**
     * AS_OF_SNAPSHOT_INTERVAL (a duration; PT0S turns snapshots off) and AS_OF_SNAPSHOT_RETAIN: how often each bucket's
     * heads are snapshotted, and how many snapshots are kept (the oldest go first; an as-of listing before the oldest
     * is served without one).
     */
    public record Settings(Duration interval, int retain) {
        public static final Settings DEFAULT = new Settings(Duration.ofHours(24), 35);

        public Settings {
            if (interval.isNegative()) {
                throw new IllegalArgumentException("AS_OF_SNAPSHOT_INTERVAL must be PT0S (off) or positive, got "
                        + interval);
            }
            if (retain < 1) {
                throw new IllegalArgumentException("AS_OF_SNAPSHOT_RETAIN must be at least 1, got " + retain);
            }
        }

        public boolean enabled() {
            return !interval.isZero();
        }
    }

    /** One snapshot of a bucket: ready once filled; {@code keys} = the keys it lists (null until ready). */
    public record Snapshot(String bucket, Instant takenAt, boolean ready, Long keys) {
    }

    // Registering (and dropping) a snapshot waits for every writer whose trigger has run to commit: see the migration.
    private static final String WRITERS_LOCK = "SELECT pg_advisory_xact_lock(18, hashtext(current_schema()))";
    // One runner at a time per schema, across every instance that runs the projector.
    private static final String RUNNER_LOCK = "SELECT pg_try_advisory_lock(19, hashtext(current_schema()))";
    private static final String RUNNER_UNLOCK = "SELECT pg_advisory_unlock(19, hashtext(current_schema()))";
    // A loose index scan: one descent per bucket, not a scan of every key.
    private static final String BUCKETS = "WITH RECURSIVE b(bucket) AS (SELECT min(bucket) FROM file_keys"
            + " UNION ALL SELECT (SELECT min(k.bucket) FROM file_keys k WHERE k.bucket > b.bucket) FROM b"
            + " WHERE b.bucket IS NOT NULL) SELECT bucket FROM b WHERE bucket IS NOT NULL";
    // Per key after the last one filled: the listed fields of the version current at S (none for a delete marker),
    // and the first later instant at which one of its versions was created or removed (the row is not the answer
    // from then on). Keys with neither are left out. A row a trigger already marked keeps the earlier mark.
    private static final String FILL = "WITH filled AS (INSERT INTO as_of_heads AS h (bucket, taken_at, key,"
            + " version_id, size, e_tag, storage_class, content_type, created_at, dirty_from)"
            + " SELECT k.bucket, ?::timestamptz, k.key, c.version_id, c.size, c.e_tag, c.storage_class,"
            + " c.content_type, c.created_at, coalesce(d.at, 'infinity')"
            // A head that is a delete marker joins as no version (all NULL): the key is not listed then.
            + " FROM file_keys k LEFT JOIN LATERAL (SELECT version_id, delete_marker, size, e_tag, storage_class,"
            + " content_type, created_at FROM file_versions v WHERE v.bucket = k.bucket AND v.key = k.key"
            + " AND v.created_at <= ? AND (v.removed_at IS NULL OR v.removed_at > ?)"
            + " ORDER BY v.ordering DESC, v.version_id DESC LIMIT 1) c ON NOT c.delete_marker"
            + " LEFT JOIN LATERAL (SELECT min(least(CASE WHEN v.created_at > ? THEN v.created_at END,"
            + " CASE WHEN v.removed_at > ? THEN v.removed_at END)) AS at FROM file_versions v"
            + " WHERE v.bucket = k.bucket AND v.key = k.key AND (v.created_at > ? OR v.removed_at > ?)) d ON true"
            + " WHERE k.bucket = ? AND k.key > ? AND (c.version_id IS NOT NULL OR d.at IS NOT NULL)"
            + " ORDER BY k.key LIMIT ?"
            + " ON CONFLICT (bucket, taken_at, key) DO UPDATE SET version_id = excluded.version_id,"
            + " size = excluded.size, e_tag = excluded.e_tag, storage_class = excluded.storage_class,"
            + " content_type = excluded.content_type, created_at = excluded.created_at,"
            + " dirty_from = least(h.dirty_from, excluded.dirty_from)"
            + " RETURNING key, version_id)"
            + " SELECT count(*), count(version_id), max(key) FROM filled";

    private final DataSource dataSource;
    private final Settings settings;
    private final Clock clock;
    private final Counter taken;
    private final Timer fillTime;

    public AsOfSnapshots(DataSource dataSource, Settings settings, Clock clock, MeterRegistry registry,
                         String shard) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.clock = clock;
        this.taken = Counter.builder("filetrail.asof.snapshots.taken").tag("shard", shard)
                .description("head snapshots filled and made ready").register(registry);
        this.fillTime = Timer.builder("filetrail.asof.snapshot.fill").tag("shard", shard)
                .description("time to fill one bucket's head snapshot").register(registry);
    }

    /**
     * For every bucket: fills the snapshots left unfilled, takes one when the newest is older than the interval (or
     * there is none), and drops the oldest beyond the retention. Does nothing while another instance runs it.
     *
     * @return the snapshots made ready
     */
    public int runDue() {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            if (!bool(c, RUNNER_LOCK)) {
                return 0;
            }
            try {
                int ready = 0;
                Instant now = clock.instant();
                for (String bucket : buckets(c)) {
                    List<Snapshot> existing = snapshots(bucket);
                    for (Snapshot s : existing) {
                        if (!s.ready()) {
                            fill(bucket, s.takenAt());
                            ready++;
                        }
                    }
                    Instant newest = existing.isEmpty() ? null : existing.get(existing.size() - 1).takenAt();
                    if (newest == null || !newest.plus(settings.interval()).isAfter(now)) {
                        take(bucket, now);
                        ready++;
                    }
                    dropBeyondRetention(bucket);
                }
                return ready;
            } finally {
                bool(c, RUNNER_UNLOCK);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("as-of snapshots failed", e);
        }
    }

    /**
     * Takes (or finishes) the snapshot of {@code bucket} as of {@code at}: registers it, fills it with every key's head
     * at that instant and marks it ready. An instant in the past is allowed: the fill reads the history, and marks
     * every key changed since.
     *
     * @return the keys it lists
     */
    public long take(String bucket, Instant at) {
        if (at.isAfter(clock.instant())) {
            throw new IllegalArgumentException("a snapshot cannot be taken in the future: " + at);
        }
        try (Connection c = dataSource.getConnection()) {
            underWritersLock(c, "INSERT INTO as_of_snapshots (bucket, taken_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    bucket, Timestamp.from(at));
        } catch (SQLException e) {
            throw new IllegalStateException("registering the as-of snapshot of " + bucket + " at " + at + " failed", e);
        }
        return fill(bucket, at);
    }

    private long fill(String bucket, Instant at) {
        long start = System.nanoTime();
        long listed = 0;
        long rows = 0;
        Timestamp t = Timestamp.from(at);
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(FILL)) {
            c.setAutoCommit(true);
            String after = "";
            while (true) {
                int i = 1;
                s.setTimestamp(i++, t);
                for (int n = 0; n < 6; n++) {
                    s.setTimestamp(i++, t);
                }
                s.setString(i++, bucket);
                s.setString(i++, after);
                s.setInt(i, FILL_BATCH);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    long batch = rs.getLong(1);
                    rows += batch;
                    listed += rs.getLong(2);
                    if (batch < FILL_BATCH) {
                        break;
                    }
                    after = rs.getString(3);
                }
            }
            try (PreparedStatement ready = c.prepareStatement("UPDATE as_of_snapshots SET ready = true, keys = ?,"
                    + " built_at = now() WHERE bucket = ? AND taken_at = ?")) {
                ready.setLong(1, listed);
                ready.setString(2, bucket);
                ready.setTimestamp(3, t);
                if (ready.executeUpdate() != 1) {
                    throw new IllegalStateException("the as-of snapshot of " + bucket + " at " + at
                            + " was dropped while it was filled");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("filling the as-of snapshot of " + bucket + " at " + at + " failed", e);
        }
        long nanos = System.nanoTime() - start;
        fillTime.record(Duration.ofNanos(nanos));
        taken.increment();
        log.info("as-of snapshot ready bucket={} takenAt={} keys={} rows={} ms={}", bucket, at, listed, rows,
                nanos / 1_000_000);
        return listed;
    }

    /** The keys a fill of {@code bucket}'s snapshot reads: every key that ever had a version. */
    public long keysToRead(String bucket) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM file_keys WHERE bucket = ?")) {
            s.setString(1, bucket);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("counting the keys of " + bucket + " failed", e);
        }
    }

    /** The snapshots of {@code bucket}, oldest first. */
    public List<Snapshot> snapshots(String bucket) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT taken_at, ready, keys FROM as_of_snapshots"
                     + " WHERE bucket = ? ORDER BY taken_at")) {
            s.setString(1, bucket);
            List<Snapshot> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    long keys = rs.getLong(3);
                    out.add(new Snapshot(bucket, rs.getTimestamp(1).toInstant(), rs.getBoolean(2),
                            rs.wasNull() ? null : keys));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("reading the as-of snapshots of " + bucket + " failed", e);
        }
    }

    /**
     * Drops the snapshots older than the {@code retain}-th newest ready one. Only ever the oldest: a change is marked
     * on the latest snapshot at or before it, so dropping one from the middle would leave its predecessor unmarked.
     */
    private void dropBeyondRetention(String bucket) throws SQLException {
        List<Snapshot> ready = snapshots(bucket).stream().filter(Snapshot::ready).toList();
        if (ready.size() <= settings.retain()) {
            return;
        }
        Timestamp keepFrom = Timestamp.from(ready.get(ready.size() - settings.retain()).takenAt());
        try (Connection c = dataSource.getConnection()) {
            // The snapshot rows first, under the writers' lock: no trigger marks a dropped snapshot afterwards, so
            // its heads can then go in statements of their own without new rows appearing behind them.
            underWritersLock(c, "DELETE FROM as_of_snapshots WHERE bucket = ? AND taken_at < ?", bucket, keepFrom);
        }
        long rows = dropHeads(dataSource, bucket, keepFrom, DROP_BATCH);
        log.info("as-of snapshots dropped bucket={} before={} rows={}", bucket, keepFrom.toInstant(), rows);
    }

    /**
     * Deletes the head rows of {@code bucket}'s snapshots taken before {@code before}, {@code batch} rows per statement
     * (each its own transaction): a snapshot of 10⁸ keys is not one long transaction, and a run cut off half-way
     * leaves rows that the next drop deletes (it deletes every row before its own bound).
     *
     * @return the rows deleted
     */
    static long dropHeads(DataSource dataSource, String bucket, Timestamp before, int batch) throws SQLException {
        long rows = 0;
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("DELETE FROM as_of_heads WHERE (bucket, taken_at, key) IN"
                     + " (SELECT bucket, taken_at, key FROM as_of_heads WHERE bucket = ? AND taken_at < ? LIMIT ?)")) {
            c.setAutoCommit(true);
            while (true) {
                s.setString(1, bucket);
                s.setTimestamp(2, before);
                s.setInt(3, batch);
                int deleted = s.executeUpdate();
                rows += deleted;
                if (deleted < batch) {
                    return rows;
                }
            }
        }
    }

    /**
     * Runs {@code sql} (bound to the bucket and an instant) in a transaction of its own that first takes the writers'
     * lock exclusively; leaves {@code c} in autocommit.
     */
    private static void underWritersLock(Connection c, String sql, String bucket, Timestamp at) throws SQLException {
        c.setAutoCommit(false);
        try (Statement lock = c.createStatement(); PreparedStatement s = c.prepareStatement(sql)) {
            lock.execute(WRITERS_LOCK);
            s.setString(1, bucket);
            s.setTimestamp(2, at);
            s.executeUpdate();
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static List<String> buckets(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(BUCKETS)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static boolean bool(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() && rs.getBoolean(1);
        }
    }
}
