package dev.filetrail.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.events.Json;
import dev.filetrail.events.s3.S3Keys;
import dev.filetrail.launcher.cli.FiletrailCommand;
import dev.filetrail.local.stack.ApiClient;
import dev.filetrail.local.stack.Demo;
import dev.filetrail.local.stack.LocalStack;
import dev.filetrail.local.stack.LocalStackConfig;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;

/**
 * {@code filetrail reprocess} on the whole local stack: versions put into a bucket S3 never notified Filetrail about,
 * backfilled into the history (so they have no thumbnails and no metadata), then handed to the processors through the
 * local Lambda API; what the processors received is read from that API, and their results from the history.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReprocessCommandTest {
    private static final String THUMBNAILER = "filetrail-thumbnailer";
    private static final String METADATA = "filetrail-metadata";

    @TempDir
    static Path output;
    private LocalStack stack;
    private Map<String, String> env;
    private S3Client s3;
    private Pipeline pipeline;
    private ApiClient api;
    // Named like OpsCommandsTest's legacy buckets: deploy/aws's IAM parity maps legacy-* to the source bucket.
    private final String bucket = "legacy-" + UUID.randomUUID().toString().substring(0, 8);
    /** The versions under photos/ that have no results after the backfill: "key\tversionId". */
    private final List<String> expected = new ArrayList<>();
    private String jobId;
    private final AtomicReference<Thread> running = new AtomicReference<>();

    record Run(int exit, String out, String err) {
        JsonNode json() {
            return Json.read(out, JsonNode.class);
        }
    }

    @BeforeAll
    void start() throws Exception {
        stack = LocalStack.start(LocalStackConfig.ephemeral(output));
        env = stack.serviceEnvironment();
        s3 = Demo.s3Client(stack.endpoints());
        pipeline = new Pipeline(stack);
        api = new ApiClient(stack.endpoints().api(), stack.endpoints().adminApiKey());

        // A bucket from before Filetrail: its notifications were never turned on, so nothing processed its files.
        s3.createBucket(b -> b.bucket(bucket));
        s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        put("photos/a.png", png(Color.RED));
        put("photos/a.png", png(Color.BLUE));
        put("photos/b c+d.png", png(Color.GREEN));
        put("photos/notes.txt", "a text file, no thumbnail".getBytes());
        put("photos/gone.png", png(Color.YELLOW));
        s3.deleteObject(b -> b.bucket(bucket).key("photos/gone.png")); // a delete marker: never a candidate
        put("other/x.txt", "outside the prefix".getBytes());
        // What S3 holds, not what the PUTs answered: an SDK retry of a PUT under load makes a version of its own.
        s3.listObjectVersionsPaginator(b -> b.bucket(bucket).prefix("photos/")).versions()
                .forEach(v -> expected.add(v.key() + "\t" + v.versionId()));
        expected.sort(null);
        System.out.println("reprocess test versions under photos/ in s3://" + bucket + ": " + expected);

        Run backfill = run("backfill", "--bucket", bucket, "--json");
        assertThat(backfill.exit()).as(backfill.err()).isZero();
        pipeline.awaitIdle(Duration.ofSeconds(90));
    }

    @AfterAll
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(0)
    void badCommandLinesExitTwoAndUnknownBucketsOrJobsExitOne() {
        Run help = run("reprocess", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("Usage: filetrail reprocess", "--dry-run", "--json", "--rate", "--resume",
                "--prefix", "--limit");
        assertThat(run("reprocess").exit()).as("no --bucket").isEqualTo(2);
        assertThat(run("reprocess", "--bucket", "Not_A_Bucket").exit()).as("not an S3 bucket name").isEqualTo(2);
        Run rate = run("reprocess", "--bucket", bucket, "--rate", "0");
        assertThat(rate.exit()).isEqualTo(2);
        assertThat(rate.err()).contains("--rate");
        assertThat(run("reprocess", "--bucket", bucket, "--rate", "fast").exit()).isEqualTo(2);
        assertThat(run("reprocess", "--bucket", bucket, "--prefix", "p".repeat(1025)).exit()).isEqualTo(2);
        assertThat(run("reprocess", "--resume", "job-7").exit()).as("not a job id").isEqualTo(2);
        Run unknown = run("reprocess", "--bucket", "nobody-knows-this-bucket");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("no history of bucket nobody-knows-this-bucket");
        Run noJob = run("reprocess", "--resume", "rp_0000000000000000");
        assertThat(noJob.exit()).isEqualTo(1);
        assertThat(noJob.err()).contains("no reprocess job rp_0000000000000000");
        Map<String, String> limited = new HashMap<>(env);
        limited.put("REPROCESS_BUCKETS", "filetrail-local");
        Run refused = run(limited, "reprocess", "--bucket", bucket);
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).contains("REPROCESS_BUCKETS");
        assertThat(received(THUMBNAILER)).isEmpty();
    }

    @Test
    @Order(1)
    void dryRunListsTheVersionsWithoutResultsAndChangesNothing() throws Exception {
        Run dry = run("reprocess", "--bucket", bucket, "--prefix", "photos/", "--dry-run", "--json");
        assertThat(dry.exit()).as(dry.err()).isZero();
        JsonNode summary = dry.json();
        assertThat(summary.path("remaining").asLong()).isEqualTo(expected.size());
        assertThat(summary.path("byReason").path("no-derivatives").asLong()).isEqualTo(expected.size());
        List<String> listed = new ArrayList<>();
        summary.path("versions").forEach(v -> listed.add(v.path("key").asText() + "\t" + v.path("versionId").asText()));
        assertThat(listed).isEqualTo(expected);
        assertThat(run("reprocess", "--bucket", bucket, "--prefix", "photos/", "--dry-run").out())
                .contains("photos/b c+d.png").contains("nothing was stored or invoked");

        assertThat(received(THUMBNAILER)).isEmpty();
        assertThat(received(METADATA)).isEmpty();
        assertThat(pipeline.query("SELECT to_regclass('filetrail_reprocess.reprocess_jobs') IS NULL")).containsExactly("t");
        assertThat(pipeline.query("SELECT count(*) FROM filetrail.file_versions WHERE bucket = '" + bucket
                + "' AND derivatives IS NOT NULL")).containsExactly("0");
        long aVersions = expected.stream().filter(e -> e.startsWith("photos/a.png\t")).count();
        JsonNode history = api.await(Demo.versionsPath(bucket, "photos/a.png"),
                b -> b.path("versions").size() == aVersions, Duration.ofSeconds(30));
        history.path("versions").forEach(v -> assertThat(v.path("thumbnailCount").asInt()).isZero());
    }

    @Test
    @Order(2)
    void aRunStoppedAfterKVersionsResumesWithTheRestOnlyAndTheResultsReachTheHistory() throws Exception {
        // Lambda unreachable: nothing is accepted, so nothing is recorded as sent; the job stays open with the reason.
        Map<String, String> unreachable = new HashMap<>(env);
        unreachable.put("LAMBDA_ENDPOINT", "http://127.0.0.1:1");
        Run failed = run(unreachable, "reprocess", "--bucket", bucket, "--prefix", "photos/", "--rate", "50/s", "--json");
        assertThat(failed.exit()).as(failed.err()).isEqualTo(1);
        JsonNode first = failed.json();
        jobId = first.path("jobId").asText();
        assertThat(jobId).matches("rp_[0-9a-f]{16}");
        assertThat(first.path("state").asText()).isEqualTo("open");
        assertThat(first.path("total").asLong()).isEqualTo(expected.size());
        assertThat(first.path("sent").asLong()).isZero();
        assertThat(first.path("error").asText()).isNotBlank();
        assertThat(failed.err()).contains("--resume " + jobId);

        // Interrupted after k of n (as Ctrl-C does, through the command's shutdown hook): one version every 5 s, so the
        // interrupt lands in the wait before version k+1, once the job records k versions handed over.
        int k = 2;
        ExecutorService worker = Executors.newSingleThreadExecutor();
        Run interrupted;
        try {
            Future<Run> slow = worker.submit(() -> {
                running.set(Thread.currentThread());
                return run("reprocess", "--resume", jobId, "--rate", "0.2/s", "--json");
            });
            awaitSent(k);
            running.get().interrupt();
            interrupted = slow.get(60, TimeUnit.SECONDS);
        } finally {
            worker.shutdownNow();
        }
        assertThat(interrupted.exit()).as(interrupted.err()).isEqualTo(1);
        assertThat(interrupted.json().path("sent").asLong()).isEqualTo(k);
        assertThat(interrupted.json().path("state").asText()).isEqualTo("open");
        assertThat(interrupted.json().path("error").asText()).isEqualTo("interrupted");
        assertThat(interrupted.err()).contains("--resume " + jobId);
        assertThat(received(THUMBNAILER)).hasSize(k);
        assertThat(received(METADATA)).hasSize(k);

        // One more, then stopped on purpose (--limit): the job stays open.
        Run part = run("reprocess", "--resume", jobId, "--limit", "1", "--rate", "50", "--json");
        assertThat(part.exit()).as(part.err()).isZero();
        assertThat(part.json().path("sent").asLong()).isEqualTo(1);
        assertThat(part.json().path("sentBefore").asLong()).isEqualTo(k);
        assertThat(part.json().path("remaining").asLong()).isEqualTo(expected.size() - k - 1);
        assertThat(part.json().path("state").asText()).isEqualTo("open");
        assertThat(part.json().path("invocations").path("thumbnailer").asLong()).isEqualTo(1);
        assertThat(received(THUMBNAILER)).hasSize(k + 1);
        assertThat(received(METADATA)).hasSize(k + 1);
        k++;

        Run preview = run("reprocess", "--resume", jobId, "--dry-run", "--json");
        assertThat(preview.exit()).as(preview.err()).isZero();
        assertThat(preview.json().path("versions").size()).isEqualTo(expected.size() - k);
        assertThat(received(THUMBNAILER)).as("a dry run invokes nothing").hasSize(k);
        assertThat(run("reprocess", "--resume", jobId, "--bucket", "legacy-00000000").exit())
                .as("a resume keeps its job's scope").isEqualTo(2);

        Run rest = run("reprocess", "--resume", jobId, "--rate", "50", "--json");
        assertThat(rest.exit()).as(rest.err()).isZero();
        assertThat(rest.json().path("sent").asLong()).isEqualTo(expected.size() - k);
        assertThat(rest.json().path("sentBefore").asLong()).isEqualTo(k);
        assertThat(rest.json().path("remaining").asLong()).isZero();
        assertThat(rest.json().path("state").asText()).isEqualTo("finished");
        // n invocations per processor in all, each version exactly once: the resume sent the other n-k only.
        assertThat(received(THUMBNAILER)).isEqualTo(expected);
        assertThat(received(METADATA)).isEqualTo(expected);

        Run again = run("reprocess", "--resume", jobId, "--json");
        assertThat(again.exit()).isZero();
        assertThat(again.json().path("sent").asLong()).isZero();
        assertThat(received(METADATA)).as("a finished job sends nothing").hasSize(expected.size());

        // The processors published their results the normal way: the history shows them.
        for (String key : List.of("photos/a.png", "photos/b c+d.png")) {
            JsonNode history = api.await(Demo.versionsPath(bucket, key), b -> b.path("versions").size() > 0
                    && allMatch(b.path("versions"), v -> v.path("thumbnailCount").asInt() > 0
                    && "image/png".equals(v.path("contentType").asText())), Duration.ofSeconds(90));
            assertThat(history.path("versions").size()).isEqualTo(expected.stream().filter(e -> e.startsWith(key + "\t"))
                    .count());
        }
        api.await(Demo.versionsPath(bucket, "photos/notes.txt"), b -> allMatch(b.path("versions"),
                v -> v.path("contentType").asText().startsWith("text/plain")), Duration.ofSeconds(90));
        pipeline.awaitIdle(Duration.ofSeconds(90));
        assertThat(pipeline.query("SELECT count(*) FROM filetrail.file_versions WHERE bucket = '" + bucket
                + "' AND NOT delete_marker AND key LIKE 'photos/%' AND derivatives->>'sha256' IS NOT NULL"))
                .containsExactly(String.valueOf(expected.size()));
        assertThat(pipeline.query("SELECT count(*) FROM filetrail.file_versions WHERE bucket = '" + bucket
                + "' AND key = 'other/x.txt' AND derivatives IS NULL")).as("outside the prefix").containsExactly("1");

        // Nothing is left to do under the prefix.
        Run after = run("reprocess", "--bucket", bucket, "--prefix", "photos/", "--dry-run", "--json");
        assertThat(after.json().path("remaining").asLong()).isZero();
    }

    /** Waits until the job records {@code count} versions handed to both processors. */
    private void awaitSent(int count) throws Exception {
        String sql = "SELECT count(*) FROM filetrail_reprocess.reprocess_versions WHERE job_id = '" + jobId
                + "' AND thumbnail_sent_at IS NOT NULL AND metadata_sent_at IS NOT NULL";
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!pipeline.query(sql).equals(List.of(String.valueOf(count)))) {
            assertThat(System.nanoTime()).as("%d versions handed over", count).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static boolean allMatch(JsonNode array, java.util.function.Predicate<JsonNode> test) {
        for (JsonNode n : array) {
            if (!test.test(n)) {
                return false;
            }
        }
        return true;
    }

    /** What {@code function} was invoked with through the Lambda API, as "key\tversionId" of each S3 record, sorted. */
    private List<String> received(String function) {
        List<String> versions = new ArrayList<>();
        for (String payload : stack.lambdaApi().received(function)) {
            JsonNode sns = Json.read(payload, JsonNode.class).path("Records").get(0).path("Sns");
            JsonNode object = Json.read(sns.path("Message").asText(), JsonNode.class).path("Records").get(0)
                    .path("s3").path("object");
            versions.add(S3Keys.decode(object.path("key").asText()) + "\t" + object.path("versionId").asText());
        }
        versions.sort(null);
        return versions;
    }

    private void put(String key, byte[] body) {
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(body));
    }

    private static byte[] png(Color color) throws Exception {
        BufferedImage image = new BufferedImage(96, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, 96, 64);
        g.dispose();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(image, "png", bytes);
        return bytes.toByteArray();
    }

    private Run run(String... args) {
        return run(env, args);
    }

    private static Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = FiletrailCommand.run(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

}
