package dev.filetrail.api;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.filetrail.api.files.FileAnswerCache;
import dev.filetrail.api.http.ObjectPath;
import dev.filetrail.embedded.kafka.EmbeddedKafka;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code wrk} against the Query API's true floor and its work routes, in one run (issue 15, item 3): {@code /health}
 * (no key), {@code /v1/ping} (key check only), the history of a 50-version file, that file, and a 100-file listing
 * page; requests/s, p50, p99 and p99.9 for each at each connection count, in rounds whose route order alternates
 * (ABBA) so the machine's load falls on every route alike, with the load average, the GC time and the pool's
 * waiting threads of each run. Given several pool sizes it starts one API per size on the same parts and
 * interleaves them too. Arguments ({@code name=value}): {@code seconds=5 rounds=3 connections=16,64 pools=<default>
 * caches=on routes=health,ping,history,file,listing}; {@code caches=on,off} adds, per pool size, an API whose file
 * answer cache is off ({@code FILE_CACHE_BYTES=0}), so the routes' database cost is measured beside the cache.
 */
public final class ApiBenchmark {
    private static final String FILE = "bench/report with spaces.pdf";
    private static final int VERSIONS = 50;
    private static final int LISTED = 120;
    private static final int PAGE = 100;
    /** Prints what wrk's {@code --latency} does not: p99.9, and the counts in machine-readable form. */
    private static final String REPORT_SCRIPT = """
            done = function(summary, latency, requests)
              local s = summary.errors.status + summary.errors.connect + summary.errors.read
                  + summary.errors.write + summary.errors.timeout
              io.write(string.format("FT-RESULT %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
                  latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max, s))
            end
            """;

    private ApiBenchmark() {
    }

    /** One route under test; {@code key} false for the unauthenticated floor. */
    record Route(String name, String path, boolean key) {
    }

    /** What one wrk run measured, latencies in microseconds, with what the JVM and the pool did meanwhile. */
    record Run(double requestsPerSecond, long p50, long p99, long p999, long max, long errors, long gcCount,
               long gcMillis, int maxWaiting, double meanWaiting) {
    }

    /** {@code api} names the API's variant: its pool size, and "no cache" when its answer cache is off. */
    private record Cell(String api, int connections, String route) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            a.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "5"));
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
        int[] connections = ints(a.getOrDefault("connections", "16,64"));
        int[] pools = ints(a.getOrDefault("pools", String.valueOf(ApiConfig.DEFAULT_POOL_SIZE)));
        List<String> wanted = List.of(a.getOrDefault("routes", "health,ping,history,file,listing").split(","));
        List<String> caches = List.of(a.getOrDefault("caches", "on").split(","));
        Path script = Files.createTempFile("filetrail-wrk", ".lua");
        Files.writeString(script, REPORT_SCRIPT);

        EmbeddedKafka broker = EmbeddedKafka.start(0);
        broker.createFiletrailTopics();
        try (EmbeddedKafka kafka = broker;
             PostgresServer postgres = PostgresServer.start(0);
             EmbeddedS3 s3 = EmbeddedS3.start(0)) {
            run(kafka, postgres, s3, seconds, rounds, connections, pools, caches, wanted, script);
        } finally {
            Files.deleteIfExists(script);
        }
    }

    private static void run(EmbeddedKafka kafka, PostgresServer postgres, EmbeddedS3 s3, int seconds, int rounds,
                            int[] connections, int[] pools, List<String> caches, List<String> wanted, Path script)
            throws Exception {
        List<ApiFixture> apis = new ArrayList<>();
        Map<ApiFixture, String> labels = new LinkedHashMap<>();
        try {
            for (int pool : pools) {
                for (String cache : caches) {
                    boolean on = !cache.equals("off");
                    ApiFixture f = new ApiFixture("benchpool" + pool + (on ? "" : "nocache"), kafka, postgres, s3,
                            false, Duration.ofSeconds(1), 60, Map.of("DATABASE_POOL_SIZE", String.valueOf(pool),
                            "FILE_CACHE_BYTES", on ? String.valueOf(FileAnswerCache.Settings.DEFAULT.maxBytes()) : "0"));
                    apis.add(f);
                    labels.put(f, pool + (on ? "" : " no cache"));
                }
            }
            Map<ApiFixture, List<Route>> routes = new LinkedHashMap<>();
            for (ApiFixture f : apis) {
                routes.put(f, fill(f).stream().filter(r -> wanted.contains(r.name())).toList());
            }
            String loadBefore = loadAverage();
            // Warm every API and route (JIT, pool, prepared statements) before measuring.
            for (ApiFixture f : apis) {
                for (Route r : routes.get(f)) {
                    wrk(f, r, 3, connections[connections.length - 1], script, null);
                }
            }
            Map<Cell, List<Run>> runs = new LinkedHashMap<>();
            List<String> loads = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                loads.add(loadAverage());
                for (int c : connections) {
                    List<ApiFixture> apiOrder = new ArrayList<>(apis);
                    if (round % 2 == 1) {
                        Collections.reverse(apiOrder);
                    }
                    for (ApiFixture f : apiOrder) {
                        List<Route> order = new ArrayList<>(routes.get(f));
                        if (round % 2 == 1) {
                            Collections.reverse(order);
                        }
                        for (Route r : order) {
                            Run run = wrk(f, r, seconds, c, script, (HikariDataSource) f.api.dataSource());
                            runs.computeIfAbsent(new Cell(labels.get(f), c, r.name()),
                                    k -> new ArrayList<>()).add(run);
                            System.out.printf("round %d pool %s c%d %-8s %8.0f req/s p50 %s p99 %s p99.9 %s gc %d/%dms"
                                            + " waiting max %d%n", round + 1, labels.get(f), c,
                                    r.name(), run.requestsPerSecond(), ms(run.p50()), ms(run.p99()), ms(run.p999()),
                                    run.gcCount(), run.gcMillis(), run.maxWaiting());
                        }
                    }
                }
            }
            loads.add(loadAverage());
            print(runs, seconds, rounds, loadBefore, loads);
        } finally {
            // Before the parts they use stop, or their listeners and projectors complain on the way out.
            apis.forEach(ApiFixture::close);
        }
    }

    /** Publishes the benchmark's files to one API and waits until they are projected; returns its routes. */
    private static List<Route> fill(ApiFixture f) {
        String latest = null;
        for (int i = 0; i < VERSIONS; i++) {
            latest = f.feed.recordVersion(FILE, 1000 + i).versionId();
        }
        byte[] png = new byte[512];
        f.feed.attachThumbnails(FILE, latest, 640, 480, List.of(new ReadModelFeed.Rendition(64, 64, 48, png),
                new ReadModelFeed.Rendition(256, 256, 192, png)));
        for (int i = 0; i < LISTED; i++) {
            f.feed.recordVersion(String.format("listed/file-%04d.txt", i), 100 + i);
        }
        String history = f.filePath(FILE) + "/versions";
        String listing = "/v1/buckets/" + f.bucket + "/files?prefix=listed/&limit=" + PAGE;
        ApiFixture.await("the benchmark's files projected", () -> count(f, history, "versions") == VERSIONS
                && count(f, listing, "files") == PAGE
                && count(f, f.filePath(FILE), "thumbnails") == 2);
        ApiFixture.await("the key listener", () -> f.api.keyListener().connections() > 0);
        return List.of(new Route("health", "/health", false), new Route("ping", "/v1/ping", true),
                new Route("history", history, true), new Route("file", f.filePath(FILE), true),
                new Route("listing", listing, true));
    }

    private static int count(ApiFixture f, String path, String field) {
        var r = f.get(path, f.admin());
        try {
            return r.statusCode() == 200 ? Json.MAPPER.readTree(r.body()).get(field).size() : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    static Run wrk(ApiFixture f, Route route, int seconds, int connections, Path script, HikariDataSource pool)
            throws Exception {
        List<String> command = new ArrayList<>(List.of("wrk", "-t2", "-c" + connections, "-d" + seconds + "s",
                "-s", script.toString()));
        if (route.key()) {
            command.addAll(List.of("-H", "Authorization: Bearer " + f.keys.get("read")));
        }
        command.add(f.baseUrl() + route.path());
        long[] gcBefore = gc();
        AtomicBoolean sampling = new AtomicBoolean(true);
        int[] waiting = new int[2];
        long[] samples = new long[2];
        Thread sampler = new Thread(() -> {
            HikariPoolMXBean bean = pool == null ? null : pool.getHikariPoolMXBean();
            while (sampling.get() && bean != null) {
                int w = bean.getThreadsAwaitingConnection();
                waiting[0] = Math.max(waiting[0], w);
                samples[0] += w;
                samples[1]++;
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-pool-sampler");
        sampler.setDaemon(true);
        sampler.start();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        sampling.set(false);
        sampler.join();
        long[] gcAfter = gc();
        Matcher m = Pattern.compile("FT-RESULT (\\d+) (\\d+) (\\d+) (\\d+) (\\d+) (\\d+) (\\d+)").matcher(out);
        if (exit != 0 || !m.find()) {
            throw new IllegalStateException("wrk failed: " + out);
        }
        Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)").matcher(out);
        long errors = Long.parseLong(m.group(7)) + (non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0);
        return new Run(Long.parseLong(m.group(1)) * 1e6 / Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6)), errors,
                gcAfter[0] - gcBefore[0], gcAfter[1] - gcBefore[1], waiting[0],
                samples[1] == 0 ? 0 : (double) samples[0] / samples[1]);
    }

    private static void print(Map<Cell, List<Run>> runs, int seconds, int rounds, String loadBefore,
                              List<String> loads) {
        System.out.println();
        System.out.printf("wrk -t2 -d%ds, %d rounds (ABBA), cores=%d, load average (1/5/15 min) at start %s, per round"
                + " %s%n", seconds, rounds, Runtime.getRuntime().availableProcessors(), loadBefore, loads);
        System.out.println("| pool | conns | route | requests/s median (min–max) | ratio to /health median (min–max)"
                + " | p50 | p99 | p99.9 | max | errors | GC per run | pool waiting max / mean |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Map.Entry<Cell, List<Run>> e : runs.entrySet()) {
            Cell cell = e.getKey();
            List<Run> rs = e.getValue();
            List<Run> health = runs.get(new Cell(cell.api(), cell.connections(), "health"));
            String ratio = "—";
            if (health != null) {
                double[] ratios = new double[rs.size()];
                for (int i = 0; i < rs.size(); i++) {
                    ratios[i] = rs.get(i).requestsPerSecond() / health.get(i).requestsPerSecond();
                }
                ratio = spread(ratios, "%.2f");
            }
            System.out.printf("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %d | %s | %s |%n", cell.api(),
                    cell.connections(), cell.route(),
                    spread(rs.stream().mapToDouble(Run::requestsPerSecond).toArray(), "%.0f"), ratio,
                    ms(median(rs, Run::p50)), ms(median(rs, Run::p99)), ms(median(rs, Run::p999)),
                    ms(median(rs, Run::max)), rs.stream().mapToLong(Run::errors).sum(),
                    rs.stream().map(r -> r.gcCount() + "/" + r.gcMillis() + "ms").toList(),
                    rs.stream().mapToInt(Run::maxWaiting).max().orElse(0) + " / "
                            + String.format("%.1f", rs.stream().mapToDouble(Run::meanWaiting).average().orElse(0)));
        }
    }

    private static long median(List<Run> runs, java.util.function.ToLongFunction<Run> value) {
        long[] v = runs.stream().mapToLong(value).sorted().toArray();
        return v[v.length / 2];
    }

    private static String spread(double[] values, String format) {
        double[] v = values.clone();
        Arrays.sort(v);
        return String.format(format + " (" + format + "–" + format + ")", v[v.length / 2], v[0], v[v.length - 1]);
    }

    private static String ms(long micros) {
        return String.format("%.2fms", micros / 1000.0);
    }

    private static long[] gc() {
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, bean.getCollectionCount());
            millis += Math.max(0, bean.getCollectionTime());
        }
        return new long[] {count, millis};
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}
