package dev.filetrail.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.events.Json;
import dev.filetrail.launcher.cli.FiletrailCommand;
import dev.filetrail.local.stack.Demo;
import dev.filetrail.local.stack.LocalStack;
import dev.filetrail.local.stack.LocalStackConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;

/**
 * Backfill rate (versions/s) and projection rebuild rate (rows/s) on the local stack:
 * {@code mvn -q -o -pl deploy/local test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.filetrail.local.cli.OpsBenchmark [-Dexec.args="20000"]}.
 */
public final class OpsBenchmark {
    private OpsBenchmark() {
    }

    public static void main(String[] args) {
        int code = 0;
        try {
            measure(args);
        } catch (Exception | AssertionError e) {
            e.printStackTrace();
            code = 1;
        }
        // s3proxy's and Kafka's leftover non-daemon threads would keep exec:java waiting.
        System.exit(code);
    }

    private static void measure(String[] args) throws Exception {
        int versions = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int perKey = 10;
        Path dir = Files.createTempDirectory("ops-benchmark");
        try (LocalStack stack = LocalStack.start(LocalStackConfig.ephemeral(dir));
             Pipeline pipeline = new Pipeline(stack);
             S3Client s3 = Demo.s3Client(stack.endpoints())) {
            String bucket = "bench-legacy";
            s3.createBucket(b -> b.bucket(bucket));
            s3.putBucketVersioning(b -> b.bucket(bucket)
                    .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
            long loadStart = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> work = new ArrayList<>();
            for (int k = 0; k < versions / perKey; k++) {
                String key = String.format("bench/%05d/file.txt", k);
                int seed = k;
                work.add(pool.submit(() -> {
                    for (int round = 0; round < perKey; round++) {
                        if ((seed + round) % 10 == 9) {
                            s3.deleteObject(b -> b.bucket(bucket).key(key));
                        } else {
                            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(key + round));
                        }
                    }
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
            pool.shutdown();
            System.err.printf("loaded %d entries in %.1f s%n", versions, (System.nanoTime() - loadStart) / 1e9);

            JsonNode backfill = run(stack, "backfill", "--bucket", bucket, "--json");
            long pipelineStart = System.nanoTime();
            pipeline.awaitIdle(Duration.ofMinutes(15));
            double pipelineSeconds = (System.nanoTime() - pipelineStart) / 1e9;
            JsonNode reconcile = run(stack, "reconcile", "--bucket", bucket, "--json", "--limit", "0");
            long rows = Long.parseLong(pipeline.query("SELECT (SELECT count(*) FROM filetrail.files) + "
                    + "(SELECT count(*) FROM filetrail.file_versions) + (SELECT count(*) FROM filetrail.audit_events) "
                    + "+ (SELECT count(*) FROM filetrail.share_links)").get(0));
            JsonNode rebuild = run(stack, "rebuild", "--projection", "--drop-retired", "--json");

            long entries = backfill.path("versions").asLong() + backfill.path("deleteMarkers").asLong();
            System.out.println("| measure | value |");
            System.out.println("|---|---|");
            System.out.printf("| entries backfilled (versions + delete markers) | %,d |%n", entries);
            System.out.printf("| backfill: list + produce | %.1f s, **%,.0f versions/s** |%n",
                    backfill.path("seconds").asDouble(), backfill.path("versionsPerSecond").asDouble());
            System.out.printf("| pipeline catch-up after backfill (streams + projector) | %.1f s, %,.0f versions/s |%n",
                    pipelineSeconds, entries / pipelineSeconds);
            System.out.printf("| reconcile (%,d keys, %s differences) | %.1f s, %,.0f entries/s |%n",
                    reconcile.path("keys").asLong(), reconcile.path("differenceCount").asText(),
                    reconcile.path("took").asDouble(), entries / Math.max(0.001, reconcile.path("took").asDouble()));
            double rebuildSeconds = rebuild.path("seconds").asDouble();
            System.out.printf("| projection rebuild: records read | %,d in %.1f s, %,.0f records/s |%n",
                    rebuild.path("records").asLong(), rebuildSeconds, rebuild.path("recordsPerSecond").asDouble());
            System.out.printf("| projection rebuild: read-model rows written | %,d, **%,.0f rows/s** |%n",
                    rows, rows / Math.max(0.001, rebuildSeconds));
        }
    }

    private static JsonNode run(LocalStack stack, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = FiletrailCommand.run(stack.serviceEnvironment(), new PrintWriter(out, true),
                new PrintWriter(err, true), args);
        if (exit != 0) {
            throw new IllegalStateException(String.join(" ", args) + " exited " + exit + ": " + err + out);
        }
        return Json.read(out.toString(), JsonNode.class);
    }
}
