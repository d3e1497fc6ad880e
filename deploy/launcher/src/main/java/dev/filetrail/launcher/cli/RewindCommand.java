package dev.filetrail.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filetrail.events.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code filetrail rewind}: a prefix back to an instant, through the query API's rewind routes, so the job runs
 * where every other write action runs (the API's S3 role and audit, resumable by any instance) and the operator
 * needs only a {@code write} key, not the ops task's database and S3 grants.
 */
@Command(name = "rewind", mixinStandardHelpOptions = true,
        description = {"Makes every key under --prefix current again as it was at --to: restores the version current "
                + "then (a new version by CopyObject), puts a delete marker on keys that did not exist then, keeps the "
                + "rest. --dry-run prints the plan and changes nothing.",
                "Calls the query API (--api, default FILETRAIL_API_URL or http://127.0.0.1:8080) with the key in "
                        + "FILETRAIL_API_KEY (scope write); the job runs in the API and this command follows it "
                        + "with a progress bar until it finishes. Ctrl-C leaves it running; "
                        + "POST /v1/rewinds/{id}/stop stops it.",
                "Exit code 1 when the API refused the rewind or an action failed."})
final class RewindCommand extends OpsCommand {
    static final String API_URL_VARIABLE = "FILETRAIL_API_URL";

    @Option(names = "--bucket", required = true, description = "The source bucket.")
    String bucket;

    @Option(names = "--prefix", required = true, description = "The key prefix to rewind (\"\" = the whole bucket).")
    String prefix;

    @Option(names = "--to", required = true, converter = TimeArgument.class, description = "The instant: ISO-8601, "
            + "a local date-time (UTC), epoch milliseconds, or a time ago (15m, 2h, 7d).")
    Instant to;

    @Option(names = "--dry-run", description = "Print the plan; change nothing.")
    boolean dryRun;

    @Option(names = "--yes", description = "Confirm a rewind of more keys than the API's REWIND_CONFIRM_ABOVE.")
    boolean yes;

    @Option(names = "--api", description = "Base URL of the query API.")
    String api;

    @Option(names = "--poll", defaultValue = "PT0.5S", description = "How often the job's progress is read "
            + "(default ${DEFAULT-VALUE}).")
    Duration poll;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Override
    public Integer call() throws Exception {
        String key = env.get(SmokeCommand.API_KEY_VARIABLE);
        if (key == null || key.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), SmokeCommand.API_KEY_VARIABLE
                    + " is not set: a rewind needs an API key with write scope");
        }
        String base = api != null ? api : env.getOrDefault(API_URL_VARIABLE, "http://127.0.0.1:8080");
        base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        ObjectNode body = Json.MAPPER.createObjectNode().put("prefix", prefix).put("to", to.toString())
                .put("dryRun", dryRun).put("confirm", yes);
        HttpResponse<String> started = send(HttpRequest.newBuilder(URI.create(base + "/v1/buckets/"
                        + URLEncoder.encode(bucket, StandardCharsets.UTF_8) + "/rewinds"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body))), key);
        JsonNode answer = Json.MAPPER.readTree(started.body());
        if (started.statusCode() >= 400) {
            String detail = answer.path("detail").asText(started.body());
            err().println("rewind refused (" + started.statusCode() + "): " + detail
                    + (started.statusCode() == 409 && !yes ? " — add --yes to confirm" : ""));
            err().flush();
            print(answer, out -> { });
            return FAILED;
        }
        if (dryRun) {
            print(answer, out -> plan(out, answer));
            return OK;
        }
        String id = answer.get("id").asText();
        JsonNode job = answer;
        long total = changing(job);
        try (ProgressBar bar = progress("rewind " + id, total, "actions")) {
            while ("running".equals(job.path("state").asText())) {
                bar.update(finished(job), job.path("actions").path("failed").asLong() + " failed");
                Thread.sleep(poll.toMillis());
                HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/v1/rewinds/" + id)).GET(),
                        key);
                if (r.statusCode() != 200) {
                    throw new IOException("GET /v1/rewinds/" + id + " answered " + r.statusCode() + ": " + r.body());
                }
                job = Json.MAPPER.readTree(r.body());
            }
            bar.finish(finished(job), job.path("state").asText());
        }
        JsonNode last = job;
        print(last, out -> progressSummary(out, last));
        return last.path("actions").path("failed").asLong() > 0 || !"finished".equals(last.path("state").asText())
                ? FAILED : OK;
    }

    private HttpResponse<String> send(HttpRequest.Builder request, String key) throws IOException,
            InterruptedException {
        return http.send(request.timeout(Duration.ofMinutes(2)).header("Authorization", "Bearer " + key).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long changing(JsonNode job) {
        return job.path("planned").path("restore").asLong() + job.path("planned").path("delete").asLong();
    }

    private static long finished(JsonNode job) {
        return job.path("actions").path("done").asLong() + job.path("actions").path("failed").asLong();
    }

    private static void plan(PrintWriter out, JsonNode plan) {
        JsonNode counts = plan.get("counts");
        out.printf("Rewind of s3://%s/%s to %s (dry run: nothing changed)%n", plan.get("bucket").asText(),
                plan.get("prefix").asText(), plan.get("to").asText());
        out.printf("  restore %,d   delete %,d   keep %,d%s%n", counts.get("restore").asLong(),
                counts.get("delete").asLong(), counts.get("keep").asLong(),
                plan.get("confirmNeeded").asBoolean() ? "   (needs --yes)" : "");
        for (JsonNode a : plan.get("actions")) {
            if (!"keep".equals(a.get("action").asText())) {
                out.printf("  %-7s %s%s%n", a.get("action").asText(), a.get("key").asText(),
                        a.hasNonNull("versionId") ? " ← " + a.get("versionId").asText() : "");
            }
        }
        if (plan.get("truncated").asBoolean()) {
            out.println("  ... (the API lists the first 1000 actions)");
        }
    }

    private static void progressSummary(PrintWriter out, JsonNode job) {
        out.printf("Rewind %s of s3://%s/%s to %s: %s%n", job.get("id").asText(), job.get("bucket").asText(),
                job.get("prefix").asText(), job.get("to").asText(), job.get("state").asText());
        out.println("  actions " + job.get("actions"));
        if (job.hasNonNull("lastError")) {
            out.println("  last error " + job.get("lastError").asText());
        }
    }
}
