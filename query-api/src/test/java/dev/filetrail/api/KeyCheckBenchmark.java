package dev.filetrail.api;

import dev.filetrail.embedded.kafka.EmbeddedKafka;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code wrk} against {@code /health} (no key) and {@code /v1/ping} (the key check) of one server in one run:
 * health and ping with the key cache in ABBA order, then ping with the cache bypassed (listener stopped, so every
 * check reads PostgreSQL as before issue 15) and health once more. Arguments: seconds per run (8), connections (16).
 */
public final class KeyCheckBenchmark {
    private KeyCheckBenchmark() {
    }

    private record Row(String route, HistoryBenchmark.Result result) {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        EmbeddedKafka broker = EmbeddedKafka.start(0);
        broker.createFiletrailTopics();
        try (EmbeddedKafka kafka = broker;
             PostgresServer postgres = PostgresServer.start(0);
             EmbeddedS3 s3 = EmbeddedS3.start(0);
             ApiFixture f = new ApiFixture("keybench", kafka, postgres, s3, false, Duration.ofSeconds(1), 60)) {
            ApiFixture.await("the key listener", () -> f.api.keyListener().connections() > 0);
            String read = f.keys.get("read");
            String health = f.baseUrl() + "/health";
            String ping = f.baseUrl() + "/v1/ping";
            HistoryBenchmark.wrk(health, read, 3, connections);
            HistoryBenchmark.wrk(ping, read, 3, connections);
            List<Row> rows = new ArrayList<>();
            rows.add(new Row("GET /health (no key)", HistoryBenchmark.wrk(health, read, seconds, connections)));
            rows.add(new Row("GET /v1/ping (key cache)", HistoryBenchmark.wrk(ping, read, seconds, connections)));
            rows.add(new Row("GET /v1/ping (key cache)", HistoryBenchmark.wrk(ping, read, seconds, connections)));
            rows.add(new Row("GET /health (no key)", HistoryBenchmark.wrk(health, read, seconds, connections)));
            f.api.keyListener().close();
            rows.add(new Row("GET /v1/ping (cache bypassed: PostgreSQL per request)",
                    HistoryBenchmark.wrk(ping, read, seconds, connections)));
            rows.add(new Row("GET /health (no key)", HistoryBenchmark.wrk(health, read, seconds, connections)));
            double healthMean = rows.stream().filter(r -> r.route().startsWith("GET /health"))
                    .mapToDouble(r -> r.result().requestsPerSecond()).average().orElseThrow();
            System.out.println();
            System.out.printf("wrk -t2 -c%d -d%ds --latency, cores=%d, in this order%n", connections, seconds,
                    Runtime.getRuntime().availableProcessors());
            System.out.println("| route | requests/s | p50 | p99 | non-2xx | ratio to mean /health |");
            System.out.println("|---|---|---|---|---|---|");
            for (Row row : rows) {
                HistoryBenchmark.Result r = row.result();
                System.out.printf("| %s | %.0f | %s | %s | %d | %.2f |%n", row.route(), r.requestsPerSecond(), r.p50(),
                        r.p99(), r.non2xx(), r.requestsPerSecond() / healthMean);
            }
        }
    }
}
