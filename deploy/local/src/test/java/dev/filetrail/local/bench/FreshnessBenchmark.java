package dev.filetrail.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.events.Json;
import dev.filetrail.local.stack.ApiClient;
import dev.filetrail.local.stack.Demo;
import dev.filetrail.local.stack.LocalStack;
import dev.filetrail.local.stack.LocalStackConfig;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Freshness on the local stack: the time from a PutObject's response to the new version appearing in the history
 * API, through S3 notification, SNS, SQS, the bridge, Kafka, the streams, the projector and PostgreSQL.
 * Uploads one at a time (so each measurement is the pipeline's latency, not a queue behind other uploads) to
 * 20 keys in turn, so objects gain several versions. Args: uploads per run (default 300), warm-up uploads per run
 * (default 20), broker mode {@code secured}, {@code open} or {@code both} (default): {@code both} runs the stack
 * four times in the order secured, open, open, secured, so that the price of SCRAM logins and ACL checks is a ratio
 * measured side by side on the same machine, not a comparison with an older run.
 */
public final class FreshnessBenchmark {

    public static void main(String[] args) throws Exception {
        int uploads = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        String mode = args.length > 2 ? args[2] : "both";
        List<Boolean> order = switch (mode) {
            case "secured" -> List.of(true);
            case "open" -> List.of(false);
            case "both" -> List.of(true, false, false, true);
            default -> throw new IllegalArgumentException("mode must be secured, open or both, not " + mode);
        };
        List<Double> securedAll = new ArrayList<>();
        List<Double> openAll = new ArrayList<>();
        for (boolean secured : order) {
            List<Double> millis = run(uploads, warmup, secured);
            System.out.println(summary((secured ? "secured" : "open   ") + " run", millis));
            (secured ? securedAll : openAll).addAll(millis);
        }
        if (!securedAll.isEmpty() && !openAll.isEmpty()) {
            System.out.println(summary("secured all", securedAll));
            System.out.println(summary("open    all", openAll));
            Collections.sort(securedAll);
            Collections.sort(openAll);
            System.out.printf(Locale.ROOT, "secured/open: p50 %.2f, p99 %.2f%n",
                    percentile(securedAll, 50) / percentile(openAll, 50),
                    percentile(securedAll, 99) / percentile(openAll, 99));
        }
    }

    private static List<Double> run(int uploads, int warmup, boolean secured) throws Exception {
        Path dir = Files.createTempDirectory("filetrail-freshness-");
        LocalStackConfig config = LocalStackConfig.ephemeral(dir).withKafkaSecured(secured);
        try (LocalStack stack = LocalStack.start(config);
             S3Client s3 = Demo.s3Client(stack.endpoints())) {
            ApiClient api = new ApiClient(stack.endpoints().api(), stack.endpoints().adminApiKey());
            String bucket = stack.endpoints().sourceBucket();
            for (int i = 0; i < warmup; i++) {
                measure(s3, api, bucket, "warmup/file-" + i + ".txt", i);
            }
            List<Double> millis = new ArrayList<>();
            for (int i = 0; i < uploads; i++) {
                millis.add(measure(s3, api, bucket, "bench/file-" + (i % 20) + ".txt", i));
            }
            return millis;
        }
    }

    private static String summary(String label, List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return String.format(Locale.ROOT, "%s: uploads=%d p50=%.0f ms p90=%.0f ms p99=%.0f ms max=%.0f ms mean=%.0f ms",
                label, sorted.size(), percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99),
                sorted.get(sorted.size() - 1), sorted.stream().mapToDouble(Double::doubleValue).average().orElse(0));
    }

    /** Milliseconds from the PutObject response to the version being listed by the history API. */
    private static double measure(S3Client s3, ApiClient api, String bucket, String key, int n) throws Exception {
        String versionId = s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("upload " + n))
                .versionId();
        long start = System.nanoTime();
        String path = Demo.versionsPath(bucket, key) + "?limit=1";
        while (true) {
            HttpResponse<String> response = api.get(path);
            if (response.statusCode() == 200) {
                JsonNode newest = Json.read(response.body(), JsonNode.class).path("versions").path(0);
                if (versionId.equals(newest.path("versionId").asText())) {
                    return (System.nanoTime() - start) / 1e6;
                }
            }
            if (System.nanoTime() - start > 30_000_000_000L) {
                throw new IllegalStateException("version " + versionId + " of " + key + " not visible after 30 s");
            }
            Thread.sleep(2);
        }
    }

    private static double percentile(List<Double> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
    }
}
