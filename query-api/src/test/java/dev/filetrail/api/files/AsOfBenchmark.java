package dev.filetrail.api.files;

import dev.filetrail.api.ReadModelDatabase;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.events.object.HistoryOrder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The as-of listing against the live listing of the same prefix (issue 18): a prefix of N files with V versions each
 * (defaults 10,000 × 20) loaded straight into the read model's tables, then every page (100 files) of the prefix read
 * through {@link FileQueries} — live, and as of three instants (just after the first version, halfway, after the
 * last) — in rounds that alternate the order (ABBA). Reports pages/s and the ratio to the live listing of the same
 * round. The HTTP path is the same for both and is measured by {@code ApiBenchmark}; this isolates the query.
 * Args: [files] [versions] [rounds]; {@code -Dexplain=a.sql,b.sql} prints those statements' plans after the load.
 */
public final class AsOfBenchmark {
    private static final String PREFIX = "team/";
    private static final int PAGE = 100;
    private static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");

    private AsOfBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int files = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int versions = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        try (PostgresServer postgres = PostgresServer.start(0)) {
            String db = postgres.createDatabase("asof_bench");
            String url = db + (db.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
            try (ReadModelDatabase database = new ReadModelDatabase(url,
                    PostgresServer.USER, PostgresServer.PASSWORD, "filetrail", "filetrail_keys", 4, "asof-bench")) {
                database.migrate();
                long loadStart = System.nanoTime();
                load(database, files, versions);
                System.out.printf(Locale.ROOT, "loaded %d files x %d versions in %.1f s%n", files, versions,
                        (System.nanoTime() - loadStart) / 1e9);
                FileQueries queries = new FileQueries(database.dataSource());
                if (System.getProperty("explain") != null) {
                    for (String file : System.getProperty("explain").split(",")) {
                        explain(database, file);
                    }
                }
                List<String> names = List.of("live", "as of v1", "as of v" + versions / 2, "as of v" + versions);
                Instant[] instants = {null, at(0, 30), at(versions / 2 - 1, 30), at(versions - 1, 30)};
                double[][] rates = new double[names.size()][rounds];
                for (int warm = 0; warm < 2; warm++) {
                    for (Instant instant : instants) {
                        walk(queries, instant, files);
                    }
                }
                for (int r = 0; r < rounds; r++) {
                    for (int step = 0; step < instants.length; step++) {
                        int i = r % 2 == 0 ? step : instants.length - 1 - step;
                        long start = System.nanoTime();
                        int pages = walk(queries, instants[i], files);
                        rates[i][r] = pages / ((System.nanoTime() - start) / 1e9);
                    }
                }
                System.out.printf(Locale.ROOT, "%d files x %d versions under '%s', pages of %d, %d rounds (ABBA), load"
                        + " average %s%n", files, versions, PREFIX, PAGE, rounds, loadAverage());
                System.out.println("| listing | pages/s median (min–max) | ratio to live, median of rounds (min–max) |");
                System.out.println("|---|---|---|");
                for (int i = 0; i < names.size(); i++) {
                    double[] ratio = new double[rounds];
                    for (int r = 0; r < rounds; r++) {
                        ratio[r] = rates[i][r] / rates[0][r];
                    }
                    System.out.printf(Locale.ROOT, "| %s | %s | %s |%n", names.get(i), spread(rates[i], "%.0f"),
                            spread(ratio, "%.2f"));
                }
            }
        }
    }

    /** Version v of every file was created at BASE + v minutes + the file's number in milliseconds. */
    private static Instant at(int version, int secondsAfter) {
        return BASE.plusSeconds(version * 60L + secondsAfter);
    }

    /** Reads the whole prefix a page at a time; checks that it saw every file once. */
    private static int walk(FileQueries queries, Instant asOf, int files) {
        String after = null;
        int pages = 0;
        int seen = 0;
        while (true) {
            List<String> keys = new ArrayList<>(PAGE);
            if (asOf == null) {
                queries.list("bench", PREFIX, after, PAGE).forEach(f -> keys.add(f.key()));
            } else {
                queries.listAsOf("bench", PREFIX, after, asOf, PAGE).forEach(f -> keys.add(f.key()));
            }
            pages++;
            seen += keys.size();
            if (keys.size() < PAGE) {
                break;
            }
            after = keys.get(keys.size() - 1);
        }
        if (seen != files) {
            throw new IllegalStateException("a walk saw " + seen + " files, not " + files);
        }
        return pages;
    }

    private static void load(ReadModelDatabase database, int files, int versions) throws Exception {
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
                        String sequencer = String.format(Locale.ROOT, "%016X", (long) v * 1_000_000 + f);
                        Instant created = BASE.plusSeconds(v * 60L).plusMillis(f);
                        version.setString(1, key);
                        version.setString(2, "v" + v);
                        version.setString(3, HistoryOrder.key(sequencer, created));
                        version.setString(4, sequencer);
                        version.setTimestamp(5, Timestamp.from(created));
                        version.addBatch();
                    }
                    head.setString(1, key);
                    head.setString(2, "v" + (versions - 1));
                    head.setString(3, "v" + (versions - 1));
                    head.setLong(4, versions);
                    head.setTimestamp(5, Timestamp.from(BASE.plusSeconds((versions - 1) * 60L)));
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
            // As autovacuum leaves a table that was loaded and then rests: statistics, and the visibility map that lets
            // an index-only scan skip the heap (a VACUUM right after the commit finds the rows not yet visible to
            // every transaction and leaves the map empty).
            c.setAutoCommit(true);
            try (var s = c.createStatement()) {
                for (String table : List.of("files", "file_versions", "file_keys")) {
                    s.execute("VACUUM ANALYZE " + table);
                    for (int tries = 0; tries < 20 && !allVisible(c, table); tries++) {
                        Thread.sleep(500);
                        s.execute("VACUUM ANALYZE " + table);
                    }
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
