package dev.filetrail.api.projection;

import dev.filetrail.api.ReadModelDatabase;
import dev.filetrail.embedded.postgres.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;

/**
 * What file_versions' triggers ({@code file_keys_add} and the as-of marks, with no snapshot taken: a rebuild's fresh
 * schema, or a read model before its first snapshot) cost a load and a replay, side by side in one run: N version rows
 * (default 200,000 over N/10 keys) merged the way the projector's merge does ({@code INSERT … SELECT … ON CONFLICT DO
 * UPDATE}, 20,000 rows per statement and transaction, as a rebuild's batches) into an empty {@code file_versions}
 * (a load: every row inserted), then merged again (a replay: every row an update that changes nothing), with the
 * triggers as migrated ({@code on}), all disabled ({@code off}), and for the load also deferred as a rebuild defers
 * them ({@link DeferredTriggers}, their catch-up timed with the load), the order rotating per round. One connection does all the work,
 * so its backend's CPU time (from /proc) is what each costs PostgreSQL. Reports medians of µs per row and of the
 * per-round off/on ratios. Args: [rows] [rounds].
 */
public final class TriggerCostBenchmark {
    private static final int STATEMENT = 20_000;
    /** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
    private static final double TICKS_PER_SECOND = 100;
    private static final String COLUMNS = "bucket, key, version_id, ordering, sequencer, delete_marker, size, e_tag,"
            + " storage_class, created_at, requester, content_type";
    private static final String MERGE = "INSERT INTO file_versions (" + COLUMNS + ", updated_at) SELECT " + COLUMNS
            + ", now() FROM bench_rows WHERE n BETWEEN ? AND ? ON CONFLICT (bucket, key, version_id) DO UPDATE SET"
            + " ordering = EXCLUDED.ordering, sequencer = EXCLUDED.sequencer, delete_marker = EXCLUDED.delete_marker,"
            + " size = EXCLUDED.size, e_tag = EXCLUDED.e_tag, storage_class = EXCLUDED.storage_class,"
            + " created_at = EXCLUDED.created_at, requester = EXCLUDED.requester,"
            + " content_type = EXCLUDED.content_type, updated_at = now()";

    private TriggerCostBenchmark() {
    }

    /** One merge pass: wall clock and the backend's CPU, µs per row. */
    private record Pass(double wall, double cpu) {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        try (PostgresServer postgres = PostgresServer.start(0)) {
            String url = postgres.createDatabase("triggers_bench");
            // The migrations want two connections; the benchmark then runs on one.
            try (ReadModelDatabase migrations = new ReadModelDatabase(url, PostgresServer.USER,
                    PostgresServer.PASSWORD, "filetrail", "filetrail_keys", 2, "migrate")) {
                migrations.migrate();
            }
            try (ReadModelDatabase db = new ReadModelDatabase(url, PostgresServer.USER, PostgresServer.PASSWORD,
                    "filetrail", "filetrail_keys", 1, "bench")) {
                run(db.dataSource(), rows, rounds);
            }
        }
    }

    private static void run(DataSource ds, int rows, int rounds) throws Exception {
        execute(ds, "CREATE UNLOGGED TABLE bench_rows AS SELECT i AS n, 'bench'::text AS bucket,"
                + " 'team/k' || (i % " + Math.max(1, rows / 10) + ") || '.jpg' AS key, 'v' || i AS version_id,"
                + " lpad(i::text, 20, '0') AS ordering, lpad(i::text, 20, '0') AS sequencer,"
                + " (i % 10 = 0) AS delete_marker, 1000 + i AS size, md5(i::text) AS e_tag,"
                + " 'STANDARD' AS storage_class, now() - (i || ' s')::interval AS created_at,"
                + " 'arn:aws:iam::1:user/u' AS requester, 'image/jpeg' AS content_type"
                + " FROM generate_series(1, " + rows + ") i");
        Path backend = Path.of("/proc", Long.toString(backendPid(ds)), "stat");
        Map<String, List<Double>> perRow = new LinkedHashMap<>();
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        List<String> variants = List.of("on", "deferred", "off");
        for (int round = 0; round < rounds; round++) {
            Map<String, Pass[]> passes = new LinkedHashMap<>();
            for (int v = 0; v < variants.size(); v++) {
                // The order rotates, so no variant always runs first or last in a round.
                String name = variants.get((v + round) % variants.size());
                execute(ds, "TRUNCATE file_versions, file_keys");
                execute(ds, "ALTER TABLE file_versions " + (name.equals("off") ? "DISABLE" : "ENABLE")
                        + " TRIGGER USER");
                execute(ds, "CHECKPOINT");
                long ticks = ticks(backend);
                long start = System.nanoTime();
                DeferredTriggers deferred = name.equals("deferred") ? DeferredTriggers.defer(ds, "filetrail") : null;
                merge(ds, rows);
                if (deferred != null) {
                    deferred.restore(ds);
                }
                Pass load = pass(backend, ticks, start, rows);
                add(perRow, "load wall " + name, load.wall());
                add(perRow, "load CPU " + name, load.cpu());
                String line = String.format(Locale.ROOT, "round %d %-8s load %6.2f µs/row (CPU %6.2f)", round, name,
                        load.wall(), load.cpu());
                Pass replay = null;
                if (deferred == null) {
                    ticks = ticks(backend);
                    start = System.nanoTime();
                    merge(ds, rows);
                    replay = pass(backend, ticks, start, rows);
                    add(perRow, "replay wall " + name, replay.wall());
                    add(perRow, "replay CPU " + name, replay.cpu());
                    line += String.format(Locale.ROOT, "   replay %6.2f (CPU %6.2f)", replay.wall(), replay.cpu());
                }
                passes.put(name, new Pass[] {load, replay});
                System.out.println(line);
            }
            Pass[] on = passes.get("on");
            Pass[] off = passes.get("off");
            Pass deferred = passes.get("deferred")[0];
            add(ratios, "load rate off/on (wall)", on[0].wall() / off[0].wall());
            add(ratios, "load CPU on/off", on[0].cpu() / off[0].cpu());
            add(ratios, "load rate deferred/on (wall)", on[0].wall() / deferred.wall());
            add(ratios, "load CPU on/deferred", on[0].cpu() / deferred.cpu());
            add(ratios, "replay rate off/on (wall)", on[1].wall() / off[1].wall());
            add(ratios, "replay CPU on/off", on[1].cpu() / off[1].cpu());
        }
        execute(ds, "ALTER TABLE file_versions ENABLE TRIGGER USER");
        System.out.printf(Locale.ROOT, "%,d rows, %d rounds; medians (min–max), µs per row:%n", rows, rounds);
        perRow.forEach((k, l) -> System.out.printf(Locale.ROOT, "  %-18s %6.2f (%.2f–%.2f)%n", k, median(l),
                Collections.min(l), Collections.max(l)));
        System.out.println("RATIOS (per round, medians (min–max)):");
        ratios.forEach((k, l) -> System.out.printf(Locale.ROOT, "  %-30s %.2f (%.2f–%.2f)%n", k, median(l),
                Collections.min(l), Collections.max(l)));
    }

    private static void merge(DataSource ds, int rows) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement(MERGE)) {
            c.setAutoCommit(false);
            for (int from = 1; from <= rows; from += STATEMENT) {
                s.setInt(1, from);
                s.setInt(2, Math.min(rows, from + STATEMENT - 1));
                s.executeUpdate();
                c.commit();
            }
        }
    }

    private static Pass pass(Path backend, long ticks, long start, int rows) throws IOException {
        return new Pass((System.nanoTime() - start) / 1e3 / rows,
                (ticks(backend) - ticks) * 1e6 / TICKS_PER_SECOND / rows);
    }

    private static long backendPid(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The process's user + system CPU time so far, in clock ticks. */
    private static long ticks(Path stat) throws IOException {
        String text = Files.readString(stat);
        String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static void execute(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static void add(Map<String, List<Double>> values, String name, double value) {
        values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
