package dev.filetrail.api.changes;

import dev.filetrail.api.ApiFixture;
import dev.filetrail.embedded.kafka.EmbeddedKafka;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Item 6 of issue 22: N long-poll clients (default 1,000, in a separate process: {@link LongPollClients}) wait under
 * one prefix of one API on the real parts; one upload under that prefix; the time from the upload (S3 put and its
 * records published, as the streams would) until each client has its whole answer: p50, p99, max; and the API
 * JVM's heap per waiting client (used heap after full GCs with the clients parked, minus the same before they
 * connected). Arguments ({@code name=value}): {@code clients=1000 rounds=3}.
 */
public final class ChangeFeedBenchmark {
    private ChangeFeedBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            a.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        int clients = Integer.parseInt(a.getOrDefault("clients", "1000"));
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
        EmbeddedKafka broker = EmbeddedKafka.start(0);
        broker.createFiletrailTopics();
        try (EmbeddedKafka kafka = broker;
             PostgresServer postgres = PostgresServer.start(0);
             EmbeddedS3 s3 = EmbeddedS3.start(0);
             ApiFixture f = new ApiFixture("changes-bench", kafka, postgres, s3, false, Duration.ofSeconds(1), 60,
                     Map.of("CHANGES_WAITS_PER_KEY", String.valueOf(clients)))) {
            run(f, clients, rounds);
        }
        System.exit(0);
    }

    private static void run(ApiFixture f, int clients, int rounds) throws Exception {
        String prefix = "bench/";
        String base = "/v1/buckets/" + f.bucket + "/changes";
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", clientClasspath(), LongPollClients.class.getName(),
                "127.0.0.1", String.valueOf(f.api.port()), f.keys.get("read"), String.valueOf(clients))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        f.feed.putVersion(prefix + "warm-up.txt", "warm".getBytes(StandardCharsets.UTF_8), "text/plain");
        System.out.printf("%d waiting long-poll clients (raw sockets, another process), one upload per round, "
                + "%d rounds; cores=%d%n", clients, rounds, Runtime.getRuntime().availableProcessors());
        System.out.println("round | from upload p50 / p99 / max ms | from publish p50 / p99 / max ms | woken | "
                + "heap per waiter (bytes) | load avg");
        for (int round = 1; round <= rounds; round++) {
            ApiFixture.await("the previous upload projected", () -> f.api.changeFeed().waits().waiting() == 0);
            Thread.sleep(1000);
            String cursor = ApiFixture.json(f.get(base + "/latest-cursor?prefix=" + prefix, f.keys.get("read")))
                    .get("cursor").asText();
            long idle = heapAfterGc();
            in.println("poll " + base + "/wait?timeout=480&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            String sent = out.readLine();
            if (sent == null || !sent.startsWith("SENT")) {
                throw new IllegalStateException("clients failed: " + sent);
            }
            ApiFixture.await("every client waiting", () -> f.api.changeFeed().waits().waiting() == clients);
            long parked = heapAfterGc();
            double perWaiter = (parked - idle) / (double) clients;

            Instant uploaded = Instant.now();
            f.feed.putVersion(prefix + "round-" + round + ".txt", "x".getBytes(StandardCharsets.UTF_8), "text/plain");
            Instant published = Instant.now();
            List<Long> fromUpload = new ArrayList<>();
            List<Long> fromPublish = new ArrayList<>();
            int woken = 0;
            String line;
            while ((line = out.readLine()) != null && !line.equals("DONE")) {
                String[] parts = line.split(" ");
                long at = Long.parseLong(parts[1]);
                fromUpload.add(at - micros(uploaded));
                fromPublish.add(at - micros(published));
                if (Boolean.parseBoolean(parts[2])) {
                    woken++;
                }
            }
            Collections.sort(fromUpload);
            Collections.sort(fromPublish);
            System.out.printf("%d | %s | %s | %d/%d | %.0f | %.2f%n", round, percentiles(fromUpload),
                    percentiles(fromPublish), woken, clients, perWaiter,
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
        in.println("quit");
        process.waitFor();
    }

    /** The clients need only the JDK and their own class (exec:java's class path is not the JVM's). */
    private static String clientClasspath() throws Exception {
        return Path.of(LongPollClients.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static long micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1_000;
    }

    private static String percentiles(List<Long> sorted) {
        return String.format("%.1f / %.1f / %.1f", sorted.get(sorted.size() / 2) / 1000.0,
                sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1)) / 1000.0,
                sorted.get(sorted.size() - 1) / 1000.0);
    }

    private static long heapAfterGc() throws InterruptedException {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(200);
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
