package dev.filetrail.api.files;

import dev.filetrail.api.ReadModelDatabase;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.events.object.HistoryOrder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The as-of listing against the live listing of the same prefix (issue 18): a prefix of N files with V versions each
 * (defaults 10,000 × 20), each file's versions at random instants over D days (default 200: a tenth of the files
 * change on a day), loaded straight into the read model's tables, with a head snapshot taken at the start of every
 * day ({@link AsOfSnapshots}, after the fact, as an operator would after a rebuild). Then every page (100 files) of the
 * prefix is read through {@link FileQueries} — live; as of four instants from the day's snapshot (noon of an early
 * day, noon and the last minute of a middle day — the most keys changed since the snapshot — and noon of the last
 * day); and as of the middle noon by one history descent per key (no snapshot) — in rounds that alternate the order
 * (ABBA). Reports pages/s, the ratio to the live listing of the same round, and per instant the share of keys that
 * changed since its snapshot. The HTTP path is the same for all and is measured by {@code ApiBenchmark}; this
 * isolates the query. Args: [files] [versions] [rounds] [days]; {@code -Dexplain=a.sql,b.sql} prints those
 * statements' plans after the load.
 */
public final class AsOfBenchmark {
    private static final String PREFIX = "team/";
    private static final int PAGE = 100;
    private static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");
    private static final long DAY = 86_400;

    private AsOfBenchmark() {
    }

    /** A listing the benchmark times: live when {@code at} is null, by descent when {@code descent}. */
    private record Listing(String name, Instant at, boolean descent) {
    }

    public static void main(String[] args) throws Exception {
        int files = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int versions = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int days = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        try (PostgresServer postgres = PostgresServer.start(0)) {
            String db = postgres.createDatabase("asof_bench");
            String url = db + (db.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
            try (ReadModelDatabase database = new ReadModelDatabase(url,
                    PostgresServer.USER, PostgresServer.PASSWORD, "filetrail", "filetrail_keys", 4, "asof-bench")) {
                database.migrate();
                long loadStart = System.nanoTime();
                long[][] created = load(database, files, versions, days);
                System.out.printf(Locale.ROOT, "loaded %d files x %d versions over %d days in %.1f s%n", files,
                        versions, days, (System.nanoTime() - loadStart) / 1e9);
                Instant end = BASE.plusSeconds(days * DAY);
                AsOfSnapshots snapshots = new AsOfSnapshots(database.dataSource(),
                        new AsOfSnapshots.Settings(Duration.ofDays(1), days + 1), Clock.fixed(end, ZoneOffset.UTC),
                        new SimpleMeterRegistry(), "0");
                long snapStart = System.nanoTime();
                long listed = 0;
                for (int d = 0; d < days; d++) {
                    listed += snapshots.take("bench", BASE.plusSeconds(d * DAY));
                }
                double snapSeconds = (System.nanoTime() - snapStart) / 1e9;
                System.out.printf(Locale.ROOT, "%d daily snapshots (%d listed keys) filled in %.1f s: %.0f keys/s%n",
                        days, listed, snapSeconds, (double) days * files / snapSeconds);
                vacuum(database, List.of("files", "file_versions", "file_keys", "as_of_heads", "as_of_snapshots"));
                FileQueries queries = new FileQueries(database.dataSource());
                if (System.getProperty("explain") != null) {
                    for (String file : System.getProperty("explain").split(",")) {
                        explain(database, file);
                    }
                }
                int early = Math.max(0, days / 10);
                int middle = days / 2;
                List<Listing> listings = List.of(
                        new Listing("live", null, false),
                        new Listing("as of day " + early + " 12:00", noon(early), false),
                        new Listing("as of day " + middle + " 12:00", noon(middle), false),
                        new Listing("as of day " + middle + " 23:59", BASE.plusSeconds(middle * DAY + DAY - 60), false),
                        new Listing("as of day " + (days - 1) + " 12:00", noon(days - 1), false),
                        new Listing("as of day " + middle + " 12:00, by descent (no snapshot)", noon(middle), true));
                int[] expected = new int[listings.size()];
                double[] changed = new double[listings.size()];
                for (int i = 0; i < listings.size(); i++) {
                    Instant at = listings.get(i).at();
                    expected[i] = at == null ? files : existing(created, at);
                    changed[i] = at == null || listings.get(i).descent() ? Double.NaN : changedSinceDayStart(created, at);
                }
                double[][] rates = new double[listings.size()][rounds];
                for (int warm = 0; warm < 2; warm++) {
                    for (int i = 0; i < listings.size(); i++) {
                        walk(queries, listings.get(i), expected[i]);
                    }
                }
                for (int r = 0; r < rounds; r++) {
                    for (int step = 0; step < listings.size(); step++) {
                        int i = r % 2 == 0 ? step : listings.size() - 1 - step;
                        long start = System.nanoTime();
                        int pages = walk(queries, listings.get(i), expected[i]);
                        rates[i][r] = pages / ((System.nanoTime() - start) / 1e9);
                    }
                }
                System.out.printf(Locale.ROOT, "%d files x %d versions over %d days under '%s', pages of %d, %d rounds"
                        + " (ABBA), load average %s%n", files, versions, days, PREFIX, PAGE, rounds, loadAverage());
                System.out.println("| listing | files listed | keys changed since the snapshot | pages/s median (min–max)"
                        + " | ratio to live, median of rounds (min–max) |");
                System.out.println("|---|---|---|---|---|");
                for (int i = 0; i < listings.size(); i++) {
                    double[] ratio = new double[rounds];
                    for (int r = 0; r < rounds; r++) {
                        ratio[r] = rates[i][r] / rates[0][r];
                    }
                    System.out.printf(Locale.ROOT, "| %s | %d | %s | %s | %s |%n", listings.get(i).name(), expected[i],
                            Double.isNaN(changed[i]) ? "–" : String.format(Locale.ROOT, "%.1f %%", 100 * changed[i]),
                            spread(rates[i], "%.0f"), spread(ratio, "%.2f"));
                }
                writeCost(database, end, rounds);
            }
        }
    }

    /**
     * What the snapshot triggers cost a writer at worst: rounds of versions of keys never seen before, in a bucket with
     * a snapshot (each one's first change since it: one row written to {@code as_of_heads} per version), in
     * multi-row upserts of 500 as the projector writes them, with the two triggers enabled and disabled alternately
     * (ABBA); prints versions/s of each and their ratio.
     */
    private static void writeCost(ReadModelDatabase database, Instant end, int rounds) throws Exception {
        int perRound = 5_000;
        double[][] rates = new double[2][rounds];
        int next = 0;
        new AsOfSnapshots(database.dataSource(), AsOfSnapshots.Settings.DEFAULT, Clock.fixed(end, ZoneOffset.UTC),
                new SimpleMeterRegistry(), "0").take("bench-writes", end.minusSeconds(7200));
        try (Connection c = database.dataSource().getConnection(); var ddl = c.createStatement();
             PreparedStatement version = c.prepareStatement("INSERT INTO file_versions (bucket, key, version_id,"
                     + " ordering, sequencer, delete_marker, size, e_tag, storage_class, created_at, requester,"
                     + " content_type) VALUES ('bench-writes', ?, ?, ?, ?, false, 100, 'etag', 'STANDARD', ?,"
                     + " 'bench', 'text/plain') ON CONFLICT (bucket, key, version_id) DO UPDATE SET size = excluded.size")) {
            for (int r = 0; r < rounds; r++) {
                for (int step = 0; step < 2; step++) {
                    boolean marks = (r % 2 == 0) == (step == 0);
                    c.setAutoCommit(true);
                    ddl.execute("ALTER TABLE file_versions " + (marks ? "ENABLE" : "DISABLE")
                            + " TRIGGER as_of_mark_added");
                    ddl.execute("ALTER TABLE file_versions " + (marks ? "ENABLE" : "DISABLE")
                            + " TRIGGER as_of_mark_updated");
                    c.setAutoCommit(false);
                    long start = System.nanoTime();
                    for (int i = 0; i < perRound; i++, next++) {
                        Instant at = end.minusSeconds(3600).plusMillis(next);
                        String sequencer = String.format(Locale.ROOT, "%016X", at.toEpochMilli() * 1000 + 999);
                        version.setString(1, String.format(Locale.ROOT, "w/%07d", next));
                        version.setString(2, "v0");
                        version.setString(3, HistoryOrder.key(sequencer, at));
                        version.setString(4, sequencer);
                        version.setTimestamp(5, Timestamp.from(at));
                        version.addBatch();
                        if (i % 500 == 499 || i == perRound - 1) {
                            version.executeBatch();
                            c.commit();
                        }
                    }
                    rates[marks ? 0 : 1][r] = perRound / ((System.nanoTime() - start) / 1e9);
                }
            }
            c.setAutoCommit(true);
            ddl.execute("ALTER TABLE file_versions ENABLE TRIGGER as_of_mark_added");
            ddl.execute("ALTER TABLE file_versions ENABLE TRIGGER as_of_mark_updated");
        }
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            ratio[r] = rates[0][r] / rates[1][r];
        }
        System.out.printf(Locale.ROOT, "writes of %d new keys per round (multi-row upserts of 500, a snapshot marked"
                + " per key): with the snapshot triggers %s versions/s, without %s, ratio %s%n", perRound,
                spread(rates[0], "%.0f"), spread(rates[1], "%.0f"), spread(ratio, "%.2f"));
    }

    private static Instant noon(int day) {
        return BASE.plusSeconds(day * DAY + DAY / 2);
    }

    /** Files whose first version was created by {@code at}. */
    private static int existing(long[][] created, Instant at) {
        long t = at.getEpochSecond() * 1000 + at.getNano() / 1_000_000;
        int n = 0;
        for (long[] file : created) {
            if (file[0] <= t) {
                n++;
            }
        }
        return n;
    }

    /** The share of files with a version created after the start of {@code at}'s day and by {@code at}. */
    private static double changedSinceDayStart(long[][] created, Instant at) {
        long t = at.toEpochMilli();
        long dayStart = BASE.toEpochMilli() + (t - BASE.toEpochMilli()) / (DAY * 1000) * DAY * 1000;
        int n = 0;
        for (long[] file : created) {
            for (long c : file) {
                if (c > dayStart && c <= t) {
                    n++;
                    break;
                }
            }
        }
        return (double) n / created.length;
    }

    /** Reads the whole prefix a page at a time; checks that it saw as many files as existed, each once. */
    private static int walk(FileQueries queries, Listing listing, int files) {
        String after = null;
        int pages = 0;
        int seen = 0;
        while (true) {
            List<String> keys = new ArrayList<>(PAGE);
            if (listing.at() == null) {
                queries.list("bench", PREFIX, after, PAGE).forEach(f -> keys.add(f.key()));
            } else if (listing.descent()) {
                queries.listAsOfByDescent("bench", PREFIX, after, listing.at(), PAGE).forEach(f -> keys.add(f.key()));
            } else {
                queries.listAsOf("bench", PREFIX, after, listing.at(), PAGE).forEach(f -> keys.add(f.key()));
            }
            pages++;
            seen += keys.size();
            if (keys.size() < PAGE) {
                break;
            }
            after = keys.get(keys.size() - 1);
        }
        if (seen != files) {
            throw new IllegalStateException(listing.name() + ": a walk saw " + seen + " files, not " + files);
        }
        return pages;
    }

    /**
     * Loads every file's versions at random instants over {@code days} (seeded: every run loads the same); returns per
     * file its versions' creation instants in epoch milliseconds, ascending.
     */
    private static long[][] load(ReadModelDatabase database, int files, int versions, int days) throws Exception {
        Random random = new Random(18);
        long[][] created = new long[files][versions];
        try (Connection c = database.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement head = c.prepareStatement("INSERT INTO files (bucket, key, deleted,"
                    + " current_version_id, latest_version_id, version_count, delete_marker_count, size, e_tag,"
                    + " content_type, storage_class, last_modified) VALUES ('bench', ?, false, ?, ?, ?, 0, 100,"
                    + " 'etag', 'text/plain', 'STANDARD', ?)");
                 PreparedStatement version = c.prepareStatement("INSERT INTO file_versions (bucket, key, version_id,"
                         + " ordering, sequencer, delete_marker, size, e_tag, storage_class, created_at, requester,"
                         + " content_type) VALUES ('bench', ?, ?, ?, ?, false, 100, 'etag', 'STANDARD', ?, 'bench',"
                         + " 'text/plain')")) {
                for (int f = 0; f < files; f++) {
                    String key = String.format(Locale.ROOT, "%sfile-%06d.txt", PREFIX, f);
                    for (int v = 0; v < versions; v++) {
                        created[f][v] = BASE.toEpochMilli() + (long) (random.nextDouble() * days * DAY * 1000);
                    }
                    Arrays.sort(created[f]);
                    for (int v = 0; v < versions; v++) {
                        Instant at = Instant.ofEpochMilli(created[f][v]);
                        String sequencer = String.format(Locale.ROOT, "%016X", created[f][v] * 1000 + v);
                        version.setString(1, key);
                        version.setString(2, "v" + v);
                        version.setString(3, HistoryOrder.key(sequencer, at));
                        version.setString(4, sequencer);
                        version.setTimestamp(5, Timestamp.from(at));
                        version.addBatch();
                    }
                    head.setString(1, key);
                    head.setString(2, "v" + (versions - 1));
                    head.setString(3, "v" + (versions - 1));
                    head.setLong(4, versions);
                    head.setTimestamp(5, Timestamp.from(Instant.ofEpochMilli(created[f][versions - 1])));
                    head.addBatch();
                    if (f % 500 == 499) {
                        version.executeBatch();
                        head.executeBatch();
                    }
                }
                version.executeBatch();
                head.executeBatch();
            }
            c.commit();
        }
        return created;
    }

    /**
     * As autovacuum leaves a table that was loaded and then rests: statistics, and the visibility map that lets an
     * index-only scan skip the heap (a VACUUM right after the commit finds the rows not yet visible to every
     * transaction and leaves the map empty).
     */
    private static void vacuum(ReadModelDatabase database, List<String> tables) throws Exception {
        try (Connection c = database.dataSource().getConnection(); var s = c.createStatement()) {
            c.setAutoCommit(true);
            for (String table : tables) {
                s.execute("VACUUM ANALYZE " + table);
                for (int tries = 0; tries < 20 && !allVisible(c, table); tries++) {
                    Thread.sleep(500);
                    s.execute("VACUUM ANALYZE " + table);
                }
            }
        }
    }

    private static boolean allVisible(Connection c, String table) throws Exception {
        try (PreparedStatement s = c.prepareStatement("SELECT relallvisible >= relpages FROM pg_class WHERE relname = ?")) {
            s.setString(1, table);
            try (var rs = s.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /**
     * Prints the plan of the last statement in {@code sqlFile} (statements end with ";" and a newline; the ones before
     * it run first: SET, PREPARE), as EXPLAIN ANALYZE gives it on its third run.
     */
    private static void explain(ReadModelDatabase database, String sqlFile) throws Exception {
        String[] statements = java.nio.file.Files.readString(java.nio.file.Path.of(sqlFile)).split(";\n");
        try (Connection c = database.dataSource().getConnection(); var s = c.createStatement()) {
            c.setAutoCommit(true);
            for (int i = 0; i < statements.length - 1; i++) {
                s.execute(statements[i]);
            }
            for (int i = 0; i < 3; i++) {
                try (var rs = s.executeQuery("EXPLAIN (ANALYZE, BUFFERS) " + statements[statements.length - 1])) {
                    while (rs.next()) {
                        if (i == 2) {
                            System.out.println(rs.getString(1));
                        }
                    }
                }
            }
        }
    }

    private static String spread(double[] values, String format) {
        double[] v = values.clone();
        Arrays.sort(v);
        return String.format(Locale.ROOT, format + " (" + format + "–" + format + ")", v[v.length / 2], v[0],
                v[v.length - 1]);
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
