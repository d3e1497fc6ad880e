package dev.filetrail.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.ApiFixture;
import dev.filetrail.api.http.ObjectPath;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import dev.filetrail.events.history.FileVersion;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealParts.class)
class ApiRoutesTest {
    static ApiFixture f;
    static final List<String> ODD_KEYS = List.of("plain.txt", "dir/sub/file with spaces.txt", "a+b=c.txt",
            "100% done.txt", "ünïcødé/日本語 ファイル.txt", "deep/a/b/c/d.txt", "q?x#y&z.txt");

    @BeforeAll
    static void start(KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3) {
        f = new ApiFixture("routes", kafka, postgres, s3, true, Duration.ofSeconds(10), 1000);
        for (String key : ODD_KEYS) {
            f.feed.putVersion(key, ("first " + key).getBytes(StandardCharsets.UTF_8), "text/plain");
            f.feed.putVersion(key, ("second " + key).getBytes(StandardCharsets.UTF_8), "text/plain");
        }
        ApiFixture.await("odd keys projected", () -> ODD_KEYS.stream().allMatch(key -> {
            HttpResponse<String> history = f.get(versions(key), f.admin());
            HttpResponse<String> one = f.get(file(key), f.admin());
            return history.statusCode() == 200 && json(history).get("versions").size() == 2
                    && one.statusCode() == 200
                    && f.feed.current(key).versionId().equals(json(one).path("currentVersionId").asText());
        }));
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static String file(String key) {
        return "/v1/buckets/" + f.bucket + "/files/" + ObjectPath.encodeSegment(key);
    }

    static String versions(String key) {
        return file(key) + "/versions";
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body());
        }
    }

    @Test
    void oddKeysRoundTripThroughFileHistoryUrlAndShareRoutes() {
        for (String key : ODD_KEYS) {
            HttpResponse<String> one = f.get(file(key), f.keys.get("read"));
            assertThat(one.statusCode()).as(key).isEqualTo(200);
            assertThat(json(one).get("key").asText()).isEqualTo(key);
            FileVersion current = f.feed.current(key);
            assertThat(json(one).get("currentVersionId").asText()).isEqualTo(current.versionId());

            JsonNode history = json(f.get(versions(key), f.keys.get("read")));
            assertThat(history.get("key").asText()).isEqualTo(key);
            assertThat(history.get("versions").get(0).get("versionId").asText()).isEqualTo(current.versionId());

            HttpResponse<String> url = f.get(file(key) + "/versions/" + ObjectPath.encodeSegment(current.versionId())
                    + "/url", f.keys.get("read"));
            assertThat(url.statusCode()).as(key).isEqualTo(200);
            assertThat(json(url).get("key").asText()).isEqualTo(key);

            HttpResponse<String> shares = f.get(file(key) + "/shares", f.keys.get("share"));
            assertThat(shares.statusCode()).as(key).isEqualTo(200);
            assertThat(json(shares).get("key").asText()).isEqualTo(key);
        }
    }

    @Test
    void unencodedMultiSegmentKeysWorkToo() {
        String key = "dir/sub/file with spaces.txt";
        String raw = "/v1/buckets/" + f.bucket + "/files/dir/sub/file%20with%20spaces.txt/versions";
        HttpResponse<String> response = f.get(raw, f.admin());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("key").asText()).isEqualTo(key);
        assertThat(json(response).get("versions")).hasSize(2);
    }

    @Test
    void historyIsNewestFirstAndPagesWithCursors() {
        String key = "paged/history.bin";
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add(f.feed.recordVersion(key, i).versionId());
        }
        ids.add(f.feed.deleteMarker(key).versionId());
        ApiFixture.await("history projected", () -> {
            HttpResponse<String> r = f.get(versions(key) + "?limit=1000", f.admin());
            return r.statusCode() == 200 && json(r).get("versions").size() == 8;
        });
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            HttpResponse<String> page = f.get(versions(key) + "?limit=3" + (cursor == null ? "" : "&cursor=" + cursor),
                    f.keys.get("read"));
            assertThat(page.statusCode()).isEqualTo(200);
            json(page).get("versions").forEach(v -> seen.add(v.get("versionId").asText()));
            cursor = json(page).get("nextCursor").isNull() ? null : json(page).get("nextCursor").asText();
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        List<String> newestFirst = new ArrayList<>(ids);
        java.util.Collections.reverse(newestFirst);
        assertThat(seen).containsExactlyElementsOf(newestFirst);
        JsonNode first = json(f.get(versions(key) + "?limit=1", f.admin())).get("versions").get(0);
        assertThat(first.get("deleteMarker").asBoolean()).isTrue();
    }

    @Test
    void listingFiltersByPrefixAndPages() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            keys.add("listing/p_" + i + ".txt");
            f.feed.recordVersion("listing/p_" + i + ".txt", 10 + i);
        }
        f.feed.recordVersion("listing/px.txt", 1);
        f.feed.recordVersion("listingother.txt", 1);
        String list = "/v1/buckets/" + f.bucket + "/files?prefix=listing/p_";
        ApiFixture.await("listing projected", () -> json(f.get(list, f.admin())).get("files").size() == 5);
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = json(f.get(list + "&limit=2" + (cursor == null ? "" : "&cursor=" + cursor), f.admin()));
            page.get("files").forEach(n -> seen.add(n.get("key").asText()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
        } while (cursor != null);
        // "_" is a LIKE wildcard: listing/px.txt must not match the prefix listing/p_
        assertThat(seen).containsExactlyElementsOf(keys);
        // Nothing of this test is left in flight for the next one, which may read the bucket.
        ApiFixture.await("the keys beside the prefix projected", () -> json(f.get("/v1/buckets/" + f.bucket
                + "/files?prefix=listing", f.admin())).get("files").size() == 7);
    }

    @Test
    void jsonAnswersAreWrittenWholeWithTheirLengthAndCompressedOnRequest() throws Exception {
        // Its own prefix: the bucket is shared with the other tests here, and a write of theirs landing between
        // the two reads below would make the answers differ for a reason that has nothing to do with gzip.
        for (int i = 0; i < 12; i++) {
            f.feed.recordVersion("compressed/file-" + i + ".txt", 100 + i);
        }
        String list = "/v1/buckets/" + f.bucket + "/files?prefix=compressed/";
        ApiFixture.await("compressed/ projected", () -> json(f.get(list, f.admin())).get("files").size() == 12);
        HttpResponse<byte[]> plain = f.http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(f.baseUrl() + list)).header("Authorization", "Bearer " + f.admin()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.headers().firstValue("Content-Type")).hasValue("application/json");
        // Written straight into the response, yet not chunked: Jetty still knows the whole length.
        assertThat(plain.headers().firstValueAsLong("Content-Length")).hasValue(plain.body().length);
        assertThat(json(new String(plain.body(), StandardCharsets.UTF_8)).get("files").size()).isEqualTo(12);
        assertThat(plain.body().length).as("over Javalin's compression threshold").isGreaterThan(1500);

        HttpResponse<byte[]> gzipped = f.http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(f.baseUrl() + list)).header("Authorization", "Bearer " + f.admin())
                .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
        byte[] unzipped = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gzipped.body()))
                .readAllBytes();
        assertThat(json(new String(unzipped, StandardCharsets.UTF_8)).get("files"))
                .isEqualTo(json(new String(plain.body(), StandardCharsets.UTF_8)).get("files"));
    }

    private static JsonNode json(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + body);
        }
    }

    @Test
    void badInputGets400ProblemJson() {
        String read = f.keys.get("read");
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("bad cursor", versions("plain.txt") + "?cursor=not-a-cursor");
        cases.put("cursor of another listing", versions("plain.txt") + "?cursor="
                + Cursor.encode("files:" + f.bucket + ":", "x"));
        cases.put("limit too big", versions("plain.txt") + "?limit=100000");
        cases.put("limit not a number", "/v1/buckets/" + f.bucket + "/files?limit=abc");
        cases.put("bad bucket", "/v1/buckets/UPPER_case/files");
        cases.put("bad escape", "/v1/buckets/" + f.bucket + "/files/a%zzb");
        cases.put("bad utf8", "/v1/buckets/" + f.bucket + "/files/a%C3%28b");
        cases.put("bad ttl", file("plain.txt") + "/versions/x/url?ttl=99999");
        cases.put("bad thumbnail size", file("plain.txt") + "/thumbnails/abc/url");
        for (var c : cases.entrySet()) {
            if (c.getKey().startsWith("bad escape")) {
                assertThat(f.rawGet(c.getValue(), read)).as(c.getKey()).startsWith("HTTP/1.1 400");
                continue;
            }
            HttpResponse<String> r = f.get(c.getValue(), read);
            assertThat(r.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).as(c.getKey())
                    .startsWith("application/problem+json");
            assertThat(json(r).get("detail").asText()).as(c.getKey()).isNotBlank();
            assertThat(json(r).get("status").asInt()).isEqualTo(400);
        }
        String share = f.keys.get("share");
        for (String body : List.of("{", "[]", "{\"bucket\":\"" + f.bucket + "\"}", "{\"bucket\":1,\"key\":\"x\"}",
                "{\"bucket\":\"" + f.bucket + "\",\"key\":\"plain.txt\",\"expiresAt\":\"yesterday\"}",
                "{\"bucket\":\"" + f.bucket + "\",\"key\":\"plain.txt\",\"expiresAt\":\"2001-01-01T00:00:00Z\"}",
                "{\"bucket\":\"" + f.bucket + "\",\"key\":\"plain.txt\",\"allowDownload\":\"yes\"}",
                "{\"bucket\":\"" + f.bucket + "\",\"key\":\"plain.txt\",\"surprise\":true}")) {
            HttpResponse<String> r = f.post("/v1/shares", share, body);
            assertThat(r.statusCode()).as(body).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        }
        HttpResponse<String> tooBig = f.post("/v1/shares", share, "{\"key\":\"" + "x".repeat(100_000) + "\"}");
        assertThat(tooBig.statusCode()).isEqualTo(413);
        HttpResponse<String> audit = f.get("/v1/audit?type=nope", f.admin());
        assertThat(audit.statusCode()).isEqualTo(400);
        assertThat(f.get("/v1/audit?from=tomorrow", f.admin()).statusCode()).isEqualTo(400);
        assertThat(f.get("/v1/audit?key=x", f.admin()).statusCode()).isEqualTo(400);
    }

    @Test
    void unknownThingsAre404ProblemJson() {
        HttpResponse<String> missing = f.get(file("no/such/file"), f.admin());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing).get("type").asText()).endsWith("/not-found");
        HttpResponse<String> noRoute = f.get("/v1/nothing-here", f.admin());
        assertThat(noRoute.statusCode()).isEqualTo(404);
        assertThat(noRoute.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(f.get("/v1/shares/shl_000000000000000000000000", f.admin()).statusCode()).isEqualTo(404);
    }

    @Test
    void readinessAndMetricsAreOnTheAdminPortOnly() {
        assertThat(f.get("/health", null).statusCode()).isEqualTo(200);
        assertThat(admin("/health").statusCode()).isEqualTo(200);
        ApiFixture.await("ready", () -> admin("/ready").statusCode() == 200);
        JsonNode ready = json(admin("/ready"));
        assertThat(ready.get("checks").get("postgresql").asText()).isEqualTo("UP");
        assertThat(ready.get("checks").get("kafka").asText()).startsWith("UP");
        assertThat(ready.get("checks").get("projection").get("retryingSeconds").asDouble()).isZero();
        HttpResponse<String> metrics = admin("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("filetrail_projector_records_total", "filetrail_http_requests_seconds_count",
                "jvm_memory_used_bytes");
        for (String adminOnly : List.of("/ready", "/metrics")) {
            HttpResponse<String> publicPort = f.get(adminOnly, null);
            assertThat(publicPort.statusCode()).as(adminOnly + " on the public port").isEqualTo(404);
            assertThat(publicPort.body()).doesNotContain("filetrail_projector", "postgresql");
        }
        assertThat(f.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(f.adminUrl() + "/ready"))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()), null).statusCode()).isEqualTo(405);
    }

    static HttpResponse<String> admin(String path) {
        return f.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(f.adminUrl() + path)).GET(), null);
    }

    /** One row of the route × scope table: the status an allowed caller gets. */
    record Operation(String method, String pathTemplate, String rawPath, String body, String scope, int allowedStatus) {
    }

    static List<Operation> operations() {
        String key = "plain.txt";
        String v = ObjectPath.encodeSegment(f.feed.current(key).versionId());
        String link = createLink(key);
        String fp = file(key);
        String create = "{\"bucket\":\"" + f.bucket + "\",\"key\":\"" + key + "\"}";
        String changes = "/v1/buckets/" + f.bucket + "/changes";
        // After the first change, with more behind it: the long-poll answers at once.
        String behind = java.net.URLEncoder.encode(json(f.get(changes + "?limit=1", f.admin())).get("cursor").asText(),
                StandardCharsets.UTF_8);
        String rewind = finishedRewind();
        String rewinds = "/v1/buckets/" + f.bucket + "/rewinds";
        return List.of(
                new Operation("GET", "/v1/ping", "/v1/ping", null, "read", 200),
                new Operation("GET", "/v1/buckets/{bucket}/files", "/v1/buckets/" + f.bucket + "/files", null, "read", 200),
                new Operation("GET", "/v1/buckets/{bucket}/files/{key}", fp, null, "read", 200),
                new Operation("GET", "/v1/buckets/{bucket}/files/{key}/versions", fp + "/versions", null, "read", 200),
                new Operation("GET", "/v1/buckets/{bucket}/files/{key}/versions/{versionId}/url",
                        fp + "/versions/" + v + "/url", null, "read", 200),
                new Operation("GET", "/v1/buckets/{bucket}/files/{key}/versions/{versionId}/events",
                        fp + "/versions/" + v + "/events", null, "read", 200),
                new Operation("GET", "/v1/buckets/{bucket}/files/{key}/versions/{versionId}/thumbnails/{size}/url",
                        fp + "/versions/" + v + "/thumbnails/64/url", null, "read", 404),
                new Operation("GET", "/v1/buckets/{bucket}/files/{key}/thumbnails/{size}/url",
                        fp + "/thumbnails/64/url", null, "read", 404),
                new Operation("GET", "/v1/buckets/{bucket}/files/{key}/shares", fp + "/shares", null, "share", 200),
                new Operation("POST", "/v1/shares", "/v1/shares", create, "share", 201),
                new Operation("GET", "/v1/shares/{id}", "/v1/shares/" + link, null, "share", 200),
                new Operation("DELETE", "/v1/shares/{id}", "/v1/shares/" + link, null, "share", 200),
                new Operation("GET", "/v1/audit", "/v1/audit?bucket=" + f.bucket, null, "admin", 200),
                new Operation("GET", "/v1/buckets/{bucket}/changes", changes, null, "read", 200),
                new Operation("GET", "/v1/buckets/{bucket}/changes/latest-cursor", changes + "/latest-cursor", null,
                        "read", 200),
                new Operation("GET", "/v1/buckets/{bucket}/changes/wait", changes + "/wait?cursor=" + behind, null,
                        "read", 200),
                new Operation("GET", "/v1/buckets/{bucket}/changes/stream-ticket", changes + "/stream-ticket", null,
                        "read", 200),
                new Operation("POST", "/v1/buckets/{bucket}/files/{key}/versions/{versionId}/restore",
                        fp + "/versions/" + v + "/restore", "{}", "write", 201),
                // The fixture file is not deleted: an allowed caller is told there is nothing to undelete.
                new Operation("POST", "/v1/buckets/{bucket}/files/{key}/undelete", fp + "/undelete", "{}", "write",
                        409),
                new Operation("POST", "/v1/buckets/{bucket}/rewinds", rewinds,
                        "{\"prefix\":\"rw-routes/\",\"to\":\"2020-01-01T00:00:00Z\",\"dryRun\":true}", "write", 200),
                new Operation("GET", "/v1/rewinds/{id}", "/v1/rewinds/" + rewind, null, "write", 200),
                // A finished rewind: an allowed caller is told there is nothing to stop or resume.
                new Operation("POST", "/v1/rewinds/{id}/stop", "/v1/rewinds/" + rewind + "/stop", "{}", "write", 409),
                new Operation("POST", "/v1/rewinds/{id}/resume", "/v1/rewinds/" + rewind + "/resume", "{}", "write",
                        409));
    }

    /** A rewind job stored as finished (no runner ever sees it), so its routes answer the same to every call. */
    static String finishedRewind() {
        var store = new dev.filetrail.api.rewind.RewindStore(f.api.dataSource());
        String id = "rw_routes_" + java.util.UUID.randomUUID().toString().replace("-", "");
        store.create(id, new dev.filetrail.api.rewind.RewindPlan(f.bucket, "rw-routes/",
                java.time.Instant.parse("2020-01-01T00:00:00Z"), List.of()), "key:test");
        assertThat(store.transition(id, dev.filetrail.api.rewind.RewindStore.RUNNING,
                dev.filetrail.api.rewind.RewindStore.FINISHED)).isTrue();
        return id;
    }

    static String createLink(String key) {
        HttpResponse<String> created = f.post("/v1/shares", f.keys.get("share"),
                "{\"bucket\":\"" + f.bucket + "\",\"key\":\"" + key + "\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return json(created).get("id").asText();
    }

    HttpResponse<String> call(Operation op, String key) {
        return switch (op.method()) {
            case "GET" -> f.get(op.rawPath(), key);
            case "POST" -> f.post(op.rawPath(), key, op.body());
            case "DELETE" -> f.delete(op.rawPath(), key);
            default -> throw new IllegalArgumentException(op.method());
        };
    }

    @Test
    void everyRouteChecksItsScope() {
        StringBuilder table = new StringBuilder("| route | none | bad key | read | share | write | admin |\n");
        for (Operation op : operations()) {
            int none = call(op, null).statusCode();
            int bad = call(op, "ftk_nosuchkey_" + "x".repeat(43)).statusCode();
            assertThat(none).as(op + " without key").isEqualTo(401);
            assertThat(bad).as(op + " with unknown key").isEqualTo(401);
            table.append("| ").append(op.method()).append(' ').append(op.pathTemplate()).append(" | ").append(none)
                    .append(" | ").append(bad);
            for (String scope : List.of("read", "share", "write", "admin")) {
                int status = call(op, f.keys.get(scope)).statusCode();
                boolean allowed = scope.equals("admin") || scope.equals(op.scope());
                assertThat(status).as(op + " with scope " + scope).isEqualTo(allowed ? op.allowedStatus() : 403);
                table.append(" | ").append(status);
            }
            table.append(" |\n");
        }
        System.out.println(table);
    }

    @Test
    void revokedKeysAreRefused() {
        var created = f.api.apiKeys().create("short-lived", java.util.EnumSet.of(dev.filetrail.api.keys.Scope.READ));
        assertThat(f.get("/v1/ping", created.plaintext()).statusCode()).isEqualTo(200);
        assertThat(f.api.apiKeys().revoke(created.id()).wasActive()).isTrue();
        assertThat(f.get("/v1/ping", created.plaintext()).statusCode()).isEqualTo(401);
        String tampered = created.plaintext().substring(0, created.plaintext().length() - 1) + "A";
        assertThat(f.get("/v1/ping", tampered).statusCode()).isEqualTo(401);
    }

    @Test
    void openApiDocumentDescribesTheRealRoutes() throws Exception {
        JsonNode doc = json(f.get("/openapi.json", null));
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        Map<String, Operation> byTemplate = new LinkedHashMap<>();
        for (Operation op : operations()) {
            byTemplate.put(op.method() + " " + op.pathTemplate(), op);
        }
        List<String> documented = new ArrayList<>();
        doc.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(m ->
                documented.add(m.getKey().toUpperCase() + " " + path.getKey())));
        List<String> expected = new ArrayList<>(byTemplate.keySet());
        expected.addAll(List.of("GET /health", "GET /openapi.json", "GET /s/{token}", "POST /s/{token}",
                "GET /s/{token}/download", "GET /s/{token}/preview/{size}", "GET /schemas",
                "GET /schemas/topics/{file}", "GET /schemas/audit/{file}",
                // Streams without end: its statuses per scope are checked in ChangeFeedTest.
                "GET /v1/buckets/{bucket}/changes/stream"));
        assertThat(documented).containsExactlyInAnyOrderElementsOf(expected);
        for (Operation op : byTemplate.values()) {
            JsonNode spec = doc.get("paths").get(op.pathTemplate()).get(op.method().toLowerCase());
            assertThat(spec.get("x-filetrail-scope").asText()).as(op.pathTemplate()).isEqualTo(op.scope());
            HttpResponse<String> response = call(op, f.admin());
            JsonNode documentedResponse = spec.get("responses").get(String.valueOf(response.statusCode()));
            assertThat(documentedResponse).as(op + " answered " + response.statusCode() + " which is not documented")
                    .isNotNull();
            JsonNode schema = resolve(doc, documentedResponse);
            if (response.statusCode() < 300 && schema != null && schema.has("required")) {
                JsonNode body = json(response);
                for (JsonNode field : schema.get("required")) {
                    assertThat(body.has(field.asText())).as(op + " lacks documented field " + field).isTrue();
                }
            }
            if (response.statusCode() >= 400) {
                assertThat(response.headers().firstValue("Content-Type").orElse(""))
                        .startsWith("application/problem+json");
            }
        }
        for (String publicPath : List.of("/health", "/openapi.json")) {
            HttpResponse<String> r = f.get(publicPath, null);
            assertThat(doc.get("paths").get(publicPath).get("get").get("responses").has(String.valueOf(r.statusCode())))
                    .as(publicPath).isTrue();
        }
        assertThat(doc.get("servers").get(0).get("url").asText()).startsWith("http://127.0.0.1:");
    }

    private static JsonNode resolve(JsonNode doc, JsonNode node) {
        if (node.has("$ref")) {
            String[] parts = node.get("$ref").asText().substring(2).split("/");
            JsonNode target = doc;
            for (String part : parts) {
                target = target.get(part);
            }
            return resolve(doc, target);
        }
        JsonNode content = node.get("content");
        if (content == null) {
            return node;
        }
        JsonNode schema = content.elements().next().get("schema");
        return schema.has("$ref") ? resolve(doc, schema) : schema;
    }
}
