package dev.filetrail.local.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.embedded.LocalAws;
import dev.filetrail.events.Json;
import dev.filetrail.journal.JournalConfig;
import dev.filetrail.journal.sql.JournalSql;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Shows a running local stack at work the way a user would see it: uploads through the S3 API, then asks the
 * query API what it knows, and prints the answers.
 */
public final class Demo {
    private final Endpoints endpoints;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public Demo(Endpoints endpoints, PrintStream out) {
        this.endpoints = endpoints;
        this.out = out;
    }

    /** The S3 client a user of the local stack would configure. */
    public static S3Client s3Client(Endpoints endpoints) {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoints.s3()))
                .region(LocalAws.REGION)
                .credentialsProvider(LocalAws.credentials())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /** An SQS client for the local stack's queues, untagged: what a test or harness sends is set-up, not a component's call. */
    public static SqsClient sqsClient(Endpoints endpoints) {
        return SqsClient.builder()
                .endpointOverride(URI.create(endpoints.sqs()))
                .region(LocalAws.REGION)
                .credentialsProvider(LocalAws.credentials())
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    public void run() {
        String bucket = endpoints.sourceBucket();
        String photo = "photos/sunset at the beach.png";
        String notes = "docs/release notes+v1.txt";
        String scratch = "tmp/scratch.txt";
        try (S3Client s3 = s3Client(endpoints)) {
            step("PUT s3://" + bucket + "/" + photo + " (a 1200x800 PNG)");
            s3.putObject(b -> b.bucket(bucket).key(photo).contentType("image/png"), RequestBody.fromBytes(samplePng()));
            step("PUT s3://" + bucket + "/" + notes + " twice (two versions)");
            s3.putObject(b -> b.bucket(bucket).key(notes), RequestBody.fromString("Filetrail 0.1: first notes\n"));
            s3.putObject(b -> b.bucket(bucket).key(notes), RequestBody.fromString("Filetrail 0.1: first notes, revised\n"));
            step("PUT then DELETE s3://" + bucket + "/" + scratch + " (leaves a delete marker)");
            s3.putObject(b -> b.bucket(bucket).key(scratch), RequestBody.fromString("scratch"));
            s3.deleteObject(b -> b.bucket(bucket).key(scratch));
        }

        JsonNode history = await(versionsPath(bucket, notes), body -> body.path("versions").size() >= 2);
        show("Version history of " + notes, history);
        JsonNode deleted = await(versionsPath(bucket, scratch), body -> body.path("versions").size() >= 2);
        show("Version history of " + scratch + " (newest first: the delete marker, then the version)", deleted);
        JsonNode file = await(filePath(bucket, photo), body -> !thumbnails(body).isEmpty());
        show("The photo, with the thumbnails the Lambda made", file);
        String versionId = history.path("versions").path(1).path("versionId").asText();
        JsonNode url = await(versionsPath(bucket, notes).replace("/versions", "/versions/" + enc(versionId) + "/url"),
                body -> body.has("url"));
        show("A CloudFront signed URL for the first version of " + notes, url);
        HttpResponse<String> viaEdge = get(URI.create(url.path("url").asText()), false);
        out.println("GET through the local CloudFront edge -> " + viaEdge.statusCode() + ": " + viaEdge.body().strip());
        JsonNode listing = await("/v1/buckets/" + enc(bucket) + "/files", body -> body.path("files").size() >= 2);
        show("Current files of " + bucket + " (the deleted one is gone)", listing);
        if (endpoints.journal() != null) {
            String query = "SELECT event_time, type, key, size, origin.source AS origin FROM journal "
                    + "WHERE bucket = '" + bucket + "' ORDER BY event_time, kafka_partition, kafka_offset";
            out.println();
            step("The journal in Iceberg (committed every " + endpoints.journal().commitIntervalMs() / 1000
                    + " s): filetrail sql \"" + query + "\"");
            out.print(awaitJournal(bucket, 5, query).format());
            String inventory = "SELECT key, version_id, size, content_type FROM inventory WHERE bucket = '" + bucket
                    + "' ORDER BY key";
            step("The inventory, current versions only (a view over inventory_changes): filetrail sql \""
                    + inventory + "\"");
            out.print(awaitJournal(bucket, listing.path("files").size(), inventory).format());
            String audit = "SELECT type, count(*) AS events FROM audit WHERE bucket = '" + bucket
                    + "' GROUP BY type ORDER BY type";
            step("The audit trail in Iceberg: filetrail sql \"" + audit + "\"");
            out.print(awaitJournal(bucket, 2, audit).format());
        }
        out.println();
        out.println("Try it yourself: curl -H 'Authorization: Bearer " + endpoints.adminApiKey() + "' '"
                + endpoints.api() + versionsPath(bucket, notes) + "'");
    }

    /** The journal's configuration as {@code filetrail sql} reads it from the environment, for this stack. */
    public static JournalConfig journalConfig(Endpoints endpoints) {
        Endpoints.Journal journal = endpoints.journal();
        return JournalConfig.fromEnvironment(java.util.Map.of(
                "JOURNAL_CATALOG_NAME", journal.catalogName(),
                "JOURNAL_CATALOG_URL", journal.catalogUrl(),
                "JOURNAL_CATALOG_USER", journal.catalogUser(),
                "JOURNAL_CATALOG_PASSWORD", journal.catalogPassword(),
                "JOURNAL_WAREHOUSE", journal.warehouse(),
                "JOURNAL_NAMESPACE", journal.namespace(),
                "S3_ENDPOINT", endpoints.s3(),
                "AWS_REGION", endpoints.region(),
                "AWS_ACCESS_KEY_ID", endpoints.accessKeyId(),
                "AWS_SECRET_ACCESS_KEY", endpoints.secretAccessKey()));
    }

    /** Waits (a commit interval and a minute at most) until {@code query} over the journal answers {@code rows} rows. */
    private JournalSql.Result awaitJournal(String bucket, int rows, String query) {
        JournalSql sql = new JournalSql(journalConfig(endpoints));
        Instant deadline = Instant.now().plusMillis(endpoints.journal().commitIntervalMs()).plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            JournalSql.Result result = sql.query(query);
            if (result.rows().size() >= rows) {
                return result;
            }
            try {
                Thread.sleep(1000); // each look copies the table's files out of S3: once a second is enough
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        throw new IllegalStateException("the journal did not answer " + rows + " rows of " + bucket + " in time: " + query);
    }

    /** The thumbnails listed in a file's details (empty until the thumbnailer's result is projected). */
    public static java.util.List<JsonNode> thumbnails(JsonNode fileDetails) {
        java.util.List<JsonNode> list = new java.util.ArrayList<>();
        fileDetails.path("thumbnails").forEach(list::add);
        return list;
    }

    private static String enc(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public static String versionsPath(String bucket, String key) {
        return "/v1/buckets/" + enc(bucket) + "/files/" + enc(key) + "/versions";
    }

    public static String filePath(String bucket, String key) {
        return "/v1/buckets/" + enc(bucket) + "/files/" + enc(key);
    }

    /** Polls a route until its JSON satisfies {@code ready}: the system is eventually consistent by design. */
    private JsonNode await(String path, Predicate<JsonNode> ready) {
        Instant deadline = Instant.now().plusSeconds(60);
        String last = "";
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> response = get(URI.create(endpoints.api() + path), true);
            last = response.statusCode() + " " + response.body();
            if (response.statusCode() == 200) {
                JsonNode body = Json.read(response.body(), JsonNode.class);
                if (ready.test(body)) {
                    return body;
                }
            }
            sleep();
        }
        throw new IllegalStateException("the API did not answer " + path + " in time; last answer: " + last);
    }

    private HttpResponse<String> get(URI uri, boolean authorised) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
        if (authorised) {
            request.header("Authorization", "Bearer " + endpoints.adminApiKey());
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void step(String what) {
        out.println("==> " + what);
    }

    private void show(String title, JsonNode body) {
        out.println();
        out.println("--- " + title);
        try {
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(body));
        } catch (IOException e) {
            out.println(body);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** A small landscape photo stand-in: a sunset gradient, big enough for every thumbnail size. */
    public static byte[] samplePng() {
        BufferedImage image = new BufferedImage(1200, 800, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(255, 140, 60), 0, 500, new Color(90, 40, 120)));
        g.fillRect(0, 0, 1200, 500);
        g.setPaint(new GradientPaint(0, 500, new Color(40, 90, 160), 0, 800, new Color(10, 30, 60)));
        g.fillRect(0, 500, 1200, 300);
        g.setColor(new Color(255, 220, 120));
        g.fillOval(520, 380, 160, 160);
        g.dispose();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
