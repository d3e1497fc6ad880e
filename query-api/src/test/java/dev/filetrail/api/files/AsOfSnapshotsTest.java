package dev.filetrail.api.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.api.ReadModelDatabase;
import dev.filetrail.api.StoredKey;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.events.object.HistoryOrder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Head snapshots against the history they summarise, on a real PostgreSQL: random uploads, delete markers, permanent
 * removals, changes of listed fields, replays and events that arrive late, written as the projector writes them
 * (multi-row upserts, so the statement triggers see several rows and keys at once), with snapshots taken live and
 * after the fact and dropped by retention in between; at many instants, every page of the listing from the snapshot
 * equals the listing by one history descent per key.
 */
@ExtendWith(RealParts.class)
class AsOfSnapshotsTest {
    private static final Instant BASE = Instant.parse("2026-03-01T00:00:00Z");
    private static ReadModelDatabase database;
    private static int run;

    @BeforeAll
    static void database(PostgresServer postgres) {
        String url = postgres.createDatabase("asof_snapshots");
        database = new ReadModelDatabase(url + (url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true",
                PostgresServer.USER, PostgresServer.PASSWORD, "filetrail", "filetrail_keys", 4, "asof-snapshots-test");
        database.migrate();
    }

    @AfterAll
    static void close() {
        database.close();
    }

    /** One version as the model writes it. */
    private record Version(String key, String id, Instant created, boolean marker, String storageClass) {
    }

    /** The random history of one bucket, its virtual clock, and the snapshots taken of it. */
    private static final class Model {
        final String bucket = "snap-" + (++run);
        final Random random;
        final AtomicReference<Instant> now = new AtomicReference<>(BASE);
        final List<Version> versions = new ArrayList<>();
        final List<Version> pending = new ArrayList<>();
        final List<Instant> instants = new ArrayList<>();
        final AsOfSnapshots snapshots;
        int next;

        Model(long seed, int retain) {
            random = new Random(seed);
            Clock clock = new Clock() {
                @Override
                public java.time.ZoneId getZone() {
                    return ZoneOffset.UTC;
                }

                @Override
                public Clock withZone(java.time.ZoneId zone) {
                    return this;
                }

                @Override
                public Instant instant() {
                    return now.get();
                }
            };
            snapshots = new AsOfSnapshots(database.dataSource(), new AsOfSnapshots.Settings(Duration.ofMinutes(30),
                    retain), clock, new SimpleMeterRegistry(), "0");
        }

        String key() {
            // Keys with and without a shared prefix, one a prefix of another, and a non-ASCII one.
            String[] keys = {"a/1", "a/2", "a/20", "a/3", "b/1", "b/é", "a/4", "c"};
            return keys[random.nextInt(keys.length)];
        }

        Instant tick() {
            Instant t = now.get().plusSeconds(1 + random.nextInt(600));
            now.set(t);
            instants.add(t);
            return t;
        }

        void step() throws SQLException {
            int op = random.nextInt(100);
            if (op < 45) {
                pending.add(version(key(), tick(), random.nextInt(8) == 0));
            } else if (op < 55) {
                // Arrives late: created up to an hour before the clock (possibly before snapshots already taken).
                Instant late = now.get().minusSeconds(random.nextInt(3600));
                instants.add(late);
                pending.add(version(key(), late, random.nextInt(5) == 0));
            } else if (op < 65) {
                flush();
                if (!versions.isEmpty()) {
                    Version v = versions.get(random.nextInt(versions.size()));
                    remove(v, tick());
                }
            } else if (op < 72) {
                flush();
                if (!versions.isEmpty()) {
                    changeStorageClass(versions.get(random.nextInt(versions.size())));
                }
            } else if (op < 78) {
                flush();
                if (!versions.isEmpty()) {
                    Version again = versions.get(random.nextInt(versions.size()));
                    if (!pending.contains(again)) {
                        pending.add(again);                           // a replay: the same row again
                    }
                }
            } else if (op < 86) {
                flush();
                tick();
                snapshots.runDue();
            } else if (op < 90) {
                flush();
                // After the fact: an instant in the past, perhaps between snapshots already taken.
                Instant past = now.get().minusSeconds(random.nextInt(7200));
                instants.add(past);
                snapshots.take(bucket, past);
            } else {
                flush();
            }
            if (pending.size() >= 4) {
                flush();
            }
        }

        Version version(String key, Instant created, boolean marker) {
            return new Version(key, "v" + (next++), created, marker, "STANDARD");
        }

        void flush() throws SQLException {
            if (pending.isEmpty()) {
                return;
            }
            try (Connection c = database.dataSource().getConnection();
                 PreparedStatement s = c.prepareStatement("INSERT INTO file_versions (bucket, key, version_id,"
                         + " ordering, sequencer, delete_marker, size, e_tag, storage_class, created_at, content_type)"
                         + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'text/plain') ON CONFLICT (bucket, key, version_id)"
                         + " DO UPDATE SET ordering = excluded.ordering, delete_marker = excluded.delete_marker,"
                         + " size = excluded.size, storage_class = excluded.storage_class,"
                         + " created_at = excluded.created_at")) {
                c.setAutoCommit(false);
                for (Version v : pending) {
                    // S3's sequencer grows with time on a key: a late event carries its earlier sequencer.
                    String sequencer = String.format(Locale.ROOT, "%016X", v.created().toEpochMilli() * 1000
                            + Integer.parseInt(v.id().substring(1)) % 1000);
                    s.setString(1, bucket);
                    s.setString(2, StoredKey.toColumn(v.key()));
                    s.setString(3, v.id());
                    s.setString(4, HistoryOrder.key(sequencer, v.created()));
                    s.setString(5, sequencer);
                    s.setBoolean(6, v.marker());
                    s.setObject(7, v.marker() ? null : 100L + v.id().length());
                    s.setString(8, v.marker() ? null : "etag-" + v.id());
                    s.setString(9, v.storageClass());
                    s.setTimestamp(10, Timestamp.from(v.created()));
                    s.addBatch();
                }
                s.executeBatch();
                c.commit();
            }
            for (Version v : pending) {
                if (!versions.contains(v)) {
                    versions.add(v);
                }
            }
            pending.clear();
        }

        void remove(Version v, Instant at) throws SQLException {
            update("UPDATE file_versions SET removed_at = ?, removed_reason = 'deleted' WHERE bucket = ? AND key = ?"
                    + " AND version_id = ? AND removed_at IS NULL", v, Timestamp.from(at));
        }

        void changeStorageClass(Version v) throws SQLException {
            update("UPDATE file_versions SET storage_class = ? WHERE bucket = ? AND key = ? AND version_id = ?", v,
                    random.nextBoolean() ? "GLACIER" : "STANDARD_IA");
        }

        private void update(String sql, Version v, Object first) throws SQLException {
            try (Connection c = database.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
                s.setObject(1, first);
                s.setString(2, bucket);
                s.setString(3, StoredKey.toColumn(v.key()));
                s.setString(4, v.id());
                s.executeUpdate();
            }
        }

        /** Checks every instant seen (and one before everything) for every prefix, in pages of every size. */
        int check(FileQueries queries) {
            int fromSnapshots = 0;
            List<Instant> at = new ArrayList<>(instants);
            at.add(BASE.minusSeconds(1));
            at.add(now.get());
            for (AsOfSnapshots.Snapshot s : snapshots.snapshots(bucket)) {
                at.add(s.takenAt());
                at.add(s.takenAt().minusNanos(1000));
            }
            for (Instant t : at) {
                for (String prefix : new String[] {"", "a/", "a/2", "b/", "z"}) {
                    List<FileQueries.AsOfRow> expected = walk(queries, prefix, t, 1000, true);
                    for (int page : new int[] {1, 3, 1000}) {
                        assertThat(walk(queries, prefix, t, page, false)).as("as of %s under '%s', pages of %d",
                                t, prefix, page).isEqualTo(expected);
                    }
                    if (!queries.listAsOfFromSnapshot(bucket, prefix, null, t, 1000).isEmpty()) {
                        fromSnapshots++;
                    }
                }
            }
            return fromSnapshots;
        }

        List<FileQueries.AsOfRow> walk(FileQueries queries, String prefix, Instant t, int page, boolean descent) {
            List<FileQueries.AsOfRow> all = new ArrayList<>();
            String after = null;
            while (true) {
                List<FileQueries.AsOfRow> rows = descent ? queries.listAsOfByDescent(bucket, prefix, after, t, page)
                        : queries.listAsOf(bucket, prefix, after, t, page);
                all.addAll(rows);
                if (rows.size() < page) {
                    return all;
                }
                after = rows.get(rows.size() - 1).key();
            }
        }
    }

    @Test
    void listingsFromSnapshotsEqualListingsFromTheHistoryAtEveryInstant() throws Exception {
        FileQueries queries = new FileQueries(database.dataSource());
        int fromSnapshots = 0;
        int dropped = 0;
        for (long seed = 1; seed <= 4; seed++) {
            Model model = new Model(seed, 3);
            for (int i = 0; i < 120; i++) {
                model.step();
                if (i % 40 == 39) {
                    fromSnapshots += model.check(queries);
                }
            }
            model.flush();
            model.snapshots.runDue();
            fromSnapshots += model.check(queries);
            List<AsOfSnapshots.Snapshot> kept = model.snapshots.snapshots(model.bucket);
            assertThat(kept).as("retention keeps the newest three")
                    .hasSizeLessThanOrEqualTo(3).allMatch(AsOfSnapshots.Snapshot::ready);
            dropped += headsBefore(model.bucket, kept.isEmpty() ? null : kept.get(0).takenAt());
        }
        assertThat(fromSnapshots).as("listings answered from a snapshot, not only by descent").isGreaterThan(60);
        assertThat(dropped).as("no head rows left of dropped snapshots").isZero();
    }

    @Test
    void anUnfilledSnapshotIsNotUsedAndTheNextRunFillsIt() throws Exception {
        Model model = new Model(42, 10);
        FileQueries queries = new FileQueries(database.dataSource());
        for (int i = 0; i < 30; i++) {
            model.pending.add(model.version(model.key(), model.tick(), false));
        }
        model.flush();
        Instant registered = model.now.get();
        // Registered but not filled (a fill that was interrupted): listings ignore it and descend.
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO as_of_snapshots (bucket, taken_at) VALUES (?, ?)")) {
            s.setString(1, model.bucket);
            s.setTimestamp(2, Timestamp.from(registered));
            s.executeUpdate();
        }
        assertThat(queries.listAsOfFromSnapshot(model.bucket, "", null, registered, 100)).isEmpty();
        List<FileQueries.AsOfRow> expected = model.walk(queries, "", registered, 100, true);
        assertThat(expected).isNotEmpty();
        assertThat(model.walk(queries, "", registered, 2, false)).isEqualTo(expected);
        // Changes after the registration are marked on it already.
        model.pending.add(model.version("a/new", model.tick(), false));
        model.flush();
        model.snapshots.runDue();
        assertThat(model.snapshots.snapshots(model.bucket)).extracting(AsOfSnapshots.Snapshot::ready)
                .containsOnly(true);
        assertThat(queries.listAsOfFromSnapshot(model.bucket, "", null, registered, 100)).isEqualTo(expected);
        assertThat(model.check(queries)).isPositive();
    }

    @Test
    void aSnapshotInTheFutureIsRefused() {
        Model model = new Model(7, 3);
        assertThatThrownBy(() -> model.snapshots.take(model.bucket, model.now.get().plusSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("future");
    }

    @Test
    void droppedHeadsGoInBatchesAndOnlyThoseBeforeTheBound() throws Exception {
        Instant t1 = Instant.parse("2026-03-01T00:00:00Z");
        Instant t2 = t1.plusSeconds(3600);
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO as_of_heads (bucket, taken_at, key)"
                     + " SELECT b, t, 'k' || i FROM (VALUES ('drop-a', ?::timestamptz, 7), ('drop-a', ?::timestamptz,"
                     + " 2), ('drop-b', ?::timestamptz, 4)) AS v(b, t, n), generate_series(1, n) i")) {
            s.setTimestamp(1, Timestamp.from(t1));
            s.setTimestamp(2, Timestamp.from(t2));
            s.setTimestamp(3, Timestamp.from(t1));
            s.executeUpdate();
        }
        // 7 rows in batches of 3: three statements (3, 3, 1).
        assertThat(AsOfSnapshots.dropHeads(database.dataSource(), "drop-a", Timestamp.from(t2), 3)).isEqualTo(7);
        assertThat(headsBefore("drop-a", t2)).isZero();
        assertThat(headsBefore("drop-a", null)).as("the snapshot at the bound is kept").isEqualTo(2);
        assertThat(headsBefore("drop-b", null)).as("another bucket is untouched").isEqualTo(4);
        // An exact multiple of the batch ends on the empty statement after it.
        assertThat(AsOfSnapshots.dropHeads(database.dataSource(), "drop-b", Timestamp.from(t2), 2)).isEqualTo(4);
        assertThat(headsBefore("drop-b", null)).isZero();
    }

    /** Head rows of {@code bucket} older than {@code oldestKept}; all of them when none is kept. */
    private static int headsBefore(String bucket, Instant oldestKept) throws SQLException {
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM as_of_heads WHERE bucket = ?"
                     + " AND (?::timestamptz IS NULL OR taken_at < ?::timestamptz)")) {
            s.setString(1, bucket);
            s.setTimestamp(2, oldestKept == null ? null : Timestamp.from(oldestKept));
            s.setTimestamp(3, oldestKept == null ? null : Timestamp.from(oldestKept));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
