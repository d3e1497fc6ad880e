package dev.filetrail.api;

import dev.filetrail.api.http.ObjectPath;
import dev.filetrail.embedded.kafka.EmbeddedKafka;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code wrk} against the version-history route (one file with 50 versions) and the static JSON route of the
 * same server, in one run, printed side by side. Arguments: seconds per route (default 15), connections (16).
 */
public final class HistoryBenchmark {
    private HistoryBenchmark() {
    }

    /** What wrk measured for one route. */
    record Result(String route, double requestsPerSecond, String p50, String p99, long non2xx) {
    }

    /** The broker with its topics, as the operator would have created them. */
    private static EmbeddedKafka started(EmbeddedKafka kafka) {
        kafka.createFiletrailTopics();
        return kafka;
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        try (EmbeddedKafka kafka = started(EmbeddedKafka.start(0));
             PostgresServer postgres = PostgresServer.start(0);
             EmbeddedS3 s3 = EmbeddedS3.start(0);
             ApiFixture f = new ApiFixture("bench", kafka, postgres, s3, false, Duration.ofSeconds(1), 60)) {
            String key = "bench/report with spaces.pdf";
            for (int i = 0; i < 50; i++) {
                f.feed.recordVersion(key, 1000 + i);
            }
            String history = "/v1/buckets/" + f.bucket + "/files/" + ObjectPath.encodeSegment(key) + "/versions";
            ApiFixture.await("50 versions projected", () -> {
                var r = f.get(history, f.admin());
                try {
                    return r.statusCode() == 200 && Json.MAPPER.readTree(r.body()).get("versions").size() == 50;
                } catch (IOException e) {
                    return false;
                }
            });
            String read = f.keys.get("read");
            // Warm both routes (JIT, pool, prepared statements) before measuring.
            wrk(f.baseUrl() + "/v1/ping", read, 3, connections);
            wrk(f.baseUrl() + history, read, 3, connections);
            List<Result> results = new ArrayList<>();
            results.add(wrk(f.baseUrl() + "/v1/ping", read, seconds, connections));
            results.add(wrk(f.baseUrl() + history, read, seconds, connections));
            Result statik = results.get(0);
            Result hist = results.get(1);
            System.out.println();
            System.out.printf("wrk -t2 -c%d -d%ds --latency, cores=%d%n", connections, seconds,
                    Runtime.getRuntime().availableProcessors());
            System.out.println("| route | requests/s | p50 | p99 | non-2xx | ratio to static |");
            System.out.println("|---|---|---|---|---|---|");
            for (Result r : results) {
                System.out.printf("| %s | %.0f | %s | %s | %d | %.0f%% |%n", r.route(), r.requestsPerSecond(), r.p50(),
                        r.p99(), r.non2xx(), 100 * r.requestsPerSecond() / statik.requestsPerSecond());
            }
            System.out.printf("history/static = %.1f%% (target >= 40%%)%n",
                    100 * hist.requestsPerSecond() / statik.requestsPerSecond());
        }
    }

    static Result wrk(String url, String key, int seconds, int connections) throws Exception {
        Process p = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--latency",
                "-H", "Authorization: Bearer " + key, url).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("wrk failed: " + out);
        }
        Matcher rps = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
        Matcher p50 = Pattern.compile("\\s50%\\s+(\\S+)").matcher(out);
        Matcher p99 = Pattern.compile("\\s99%\\s+(\\S+)").matcher(out);
        Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)").matcher(out);
        if (!rps.find() || !p50.find() || !p99.find()) {
            throw new IllegalStateException("cannot read wrk output: " + out);
        }
        String route = url.contains("/versions") ? "GET …/files/{key}/versions (50 versions)" : "GET /v1/ping (static JSON)";
        return new Result(route, Double.parseDouble(rps.group(1)), p50.group(1), p99.group(1),
                non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0);
    }
}
