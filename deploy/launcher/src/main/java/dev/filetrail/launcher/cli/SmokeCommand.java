package dev.filetrail.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.bridge.AwsClients;
import dev.filetrail.bridge.BridgeConfig;
import dev.filetrail.events.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code filetrail smoke}: one file's way through a running deployment, as a user sees it. It uploads a small file
 * to the bucket, waits until the API shows that version in the file's history, asks the API for a signed URL of it
 * and downloads the same bytes through that URL, then deletes the version it made. The release pipeline runs it
 * against staging after each deploy; CI runs it against the local stack.
 */
@Command(name = "smoke", mixinStandardHelpOptions = true,
        description = {"Checks a running deployment end to end: PUT a file into --bucket, wait until --api shows that "
                + "version in the file's history, get a signed URL for it from the API and download the same bytes "
                + "through it, then delete the version it made (unless --keep). Exit 0 when every step passed, 1 when "
                + "one failed (the summary says which and why).",
                "The API key comes from FILETRAIL_API_KEY (read scope is enough), never from the command line. S3 is "
                        + "reached as the bridge reaches it (S3_ENDPOINT, AWS_REGION, AWS_ACCESS_KEY_ID, "
                        + "AWS_SECRET_ACCESS_KEY; empty values: AWS itself and the default credentials), with the "
                        + "SDK app id filetrail-smoke."})
public final class SmokeCommand extends OpsCommand {
    /** The component its AWS calls are made as (the app id filetrail-smoke), held against the smoke role. */
    static final String COMPONENT = "smoke";
    /** The variable the API key is read from. */
    public static final String API_KEY_VARIABLE = "FILETRAIL_API_KEY";
    private static final Logger log = LoggerFactory.getLogger(SmokeCommand.class);
    private static final Duration POLL = Duration.ofMillis(500);

    @Option(names = "--api", required = true, description = "Base URL of the query API, e.g. https://files-api.example.com.")
    URI api;

    @Option(names = "--bucket", required = true, description = "The source bucket Filetrail watches.")
    String bucket;

    @Option(names = "--prefix", defaultValue = "_smoke/", description = "Where in the bucket the check file goes "
            + "(default ${DEFAULT-VALUE}; the smoke role may write only there).")
    String prefix;

    @Option(names = "--timeout", defaultValue = "PT3M", description = "How long the history may take to show the "
            + "upload (ISO-8601, default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--keep", description = "Leave the uploaded version in the bucket.")
    boolean keep;

    /** One step of the check. */
    record Step(String step, boolean passed, long millis, String detail) {
    }

    /** The summary as printed. */
    record Result(String api, String bucket, String key, String versionId, boolean passed, List<Step> steps) {
    }

    /** A step that did not pass, and why. */
    private static final class StepFailed extends Exception {
        StepFailed(String message) {
            super(message);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final List<Step> steps = new ArrayList<>();
    private String apiKey;

    @Override
    public Integer call() {
        apiKey = env.get(API_KEY_VARIABLE);
        if (apiKey == null || apiKey.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), API_KEY_VARIABLE + " is not set: the smoke "
                    + "check needs an API key with read scope");
        }
        String id = Instant.now().toString().replace(':', '-') + "-" + UUID.randomUUID().toString().substring(0, 8);
        // A space in the key: the check also covers the encodings (S3's form-encoded notifications, the API's path).
        String key = prefix + "smoke " + id + ".txt";
        byte[] content = ("filetrail smoke check " + id + "\n").getBytes(StandardCharsets.UTF_8);
        String versionId = null;
        try (S3Client s3 = AwsClients.s3(BridgeConfig.from(env::get), COMPONENT)) {
            try {
                versionId = upload(s3, key, content);
                String version = versionId;
                step("history", () -> awaitHistory(key, version));
                String url = step("signed-url", () -> signedUrl(key, version));
                step("download", () -> download(url, content));
            } catch (StepFailed e) {
                // Recorded in steps; the cleanup still runs.
            } finally {
                if (versionId != null && !keep) {
                    String version = versionId;
                    try {
                        step("cleanup", () -> {
                            s3.deleteObject(b -> b.bucket(bucket).key(key).versionId(version));
                            return "deleted version " + version;
                        });
                    } catch (StepFailed e) {
                        // Recorded in steps.
                    }
                }
            }
        }
        boolean passed = steps.stream().allMatch(Step::passed);
        Result result = new Result(api.toString(), bucket, key, versionId, passed, List.copyOf(steps));
        print(result, out -> {
            for (Step s : result.steps()) {
                out.printf("  %-4s %-10s %6d ms  %s%n", s.passed() ? "ok" : "FAIL", s.step(), s.millis(), s.detail());
            }
            out.printf("smoke check of %s with s3://%s/%s %s%n", api, bucket, key, passed ? "passed" : "FAILED");
        });
        if (!passed) {
            Step failed = steps.stream().filter(s -> !s.passed()).findFirst().orElseThrow();
            err().printf("filetrail: smoke check failed at %s: %s%n", failed.step(), failed.detail());
            err().flush();
        }
        return passed ? OK : FAILED;
    }

    private String upload(S3Client s3, String key, byte[] content) throws StepFailed {
        return step("upload", () -> {
            String version = s3.putObject(b -> b.bucket(bucket).key(key).contentType("text/plain"),
                    RequestBody.fromBytes(content)).versionId();
            if (version == null || version.isBlank() || version.equals("null")) {
                throw new StepFailed("S3 returned no version id: is versioning on for " + bucket + "?");
            }
            return version;
        });
    }

    /** Polls the history until it lists the version; a refused key or a bad request fails at once. */
    private String awaitHistory(String key, String versionId) throws StepFailed, IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer yet";
        while (true) {
            HttpResponse<String> response;
            try {
                response = get(api.resolve(versionsPath(key)), true);
            } catch (IOException e) {
                // The API being unreachable for a moment (a task being replaced) is worth waiting for.
                response = null;
                last = "unreachable: " + e.getMessage();
            }
            if (response != null) {
                int status = response.statusCode();
                last = status + " " + ProbeCommand.oneLine(response.body());
                if (status == 200) {
                    for (JsonNode v : Json.read(response.body(), JsonNode.class).path("versions")) {
                        if (versionId.equals(v.path("versionId").asText())) {
                            return "version " + versionId + " in the history";
                        }
                    }
                } else if (status == 401 || status == 403 || status == 400) {
                    throw new StepFailed("the API refused the request: " + last);
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new StepFailed("the history did not show version " + versionId + " within " + timeout
                        + "; last answer: " + last);
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private String signedUrl(String key, String versionId) throws StepFailed, IOException, InterruptedException {
        HttpResponse<String> response = get(api.resolve(versionsPath(key) + "/" + segment(versionId) + "/url"), true);
        if (response.statusCode() != 200) {
            throw new StepFailed("no signed URL: " + response.statusCode() + " " + ProbeCommand.oneLine(response.body()));
        }
        String url = Json.read(response.body(), JsonNode.class).path("url").asText();
        if (url.isBlank()) {
            throw new StepFailed("the answer has no url: " + ProbeCommand.oneLine(response.body()));
        }
        return url;
    }

    private String download(String url, byte[] expected) throws StepFailed, IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new StepFailed("the signed URL answered " + response.statusCode() + " "
                    + ProbeCommand.oneLine(new String(response.body(), StandardCharsets.UTF_8)));
        }
        if (!Arrays.equals(response.body(), expected)) {
            throw new StepFailed("the signed URL served " + response.body().length + " bytes that differ from the "
                    + expected.length + " uploaded");
        }
        return response.body().length + " bytes, identical to the upload";
    }

    private HttpResponse<String> get(URI uri, boolean authorised) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
        if (authorised) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** What one step does; its result is the step's detail (or the value later steps need). */
    private interface Work {
        String run() throws Exception;
    }

    /** Runs one step, records it and logs it; a failure is recorded and rethrown as StepFailed. */
    private String step(String name, Work work) throws StepFailed {
        long start = System.nanoTime();
        try {
            String detail = work.run();
            long millis = (System.nanoTime() - start) / 1_000_000;
            steps.add(new Step(name, true, millis, detail));
            log.info("smoke step passed step={} bucket={} millis={}", name, bucket, millis);
            return detail;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(name, start, "interrupted");
        } catch (StepFailed e) {
            return fail(name, start, e.getMessage());
        } catch (Exception e) {
            return fail(name, start, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private String fail(String name, long start, String why) throws StepFailed {
        steps.add(new Step(name, false, (System.nanoTime() - start) / 1_000_000, why));
        log.warn("smoke step failed step={} bucket={} reason={}", name, bucket, why);
        throw new StepFailed(why);
    }

    private String versionsPath(String key) {
        String base = api.getPath() == null || api.getPath().isEmpty() || api.getPath().equals("/") ? "" : api.getPath();
        return base + "/v1/buckets/" + segment(bucket) + "/files/" + segment(key) + "/versions";
    }

    /** One path segment, percent-encoded as the API expects ({@code /} as %2F, a space as %20). */
    private static String segment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
