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
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hand-made bad requests, sent with a real HTTP client (and a raw socket where {@link URI} would refuse to build
 * the request): each is a 4xx problem+json saying what is wrong, and the stack serves new records afterwards.
 */
@ExtendWith(RealParts.class)
class DoorChecksTest {
    static ApiFixture f;
    static final String KEY = "door/report.txt";

    @BeforeAll
    static void start(KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3) {
        f = new ApiFixture("door", kafka, postgres, s3, true, Duration.ofSeconds(10), 1000);
        f.feed.putVersion(KEY, "door".getBytes(StandardCharsets.UTF_8), "text/plain");
        ApiFixture.await("projected", () -> f.get(file(KEY), f.admin()).statusCode() == 200);
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static String file(String key) {
        return "/v1/buckets/" + f.bucket + "/files/" + ObjectPath.encodeSegment(key);
    }

    static JsonNode problem(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        try {
            JsonNode body = Json.MAPPER.readTree(r.body());
            assertThat(body.get("status").asInt()).isEqualTo(status);
            assertThat(body.get("detail").asText()).isNotBlank();
            return body;
        } catch (Exception e) {
            throw new AssertionError("not problem+json: " + r.body());
        }
    }

    static String share(String expiresAt) {
        return "{\"bucket\":\"" + f.bucket + "\",\"key\":\"" + KEY + "\",\"expiresAt\":\"" + expiresAt + "\"}";
    }

    @Test
    void timestampsOutsideTheStoredRangeAre400NamingFieldAndRange() {
        for (String far : new String[] {"+294277-01-01T00:00:00Z", "+10000-01-01T00:00:00Z", "+1000000000-12-31T23:59:59Z"}) {
            JsonNode body = problem(f.post("/v1/shares", f.keys.get("share"), share(far)), 400);
            assertThat(body.get("detail").asText()).contains("expiresAt", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z");
        }
        // Accepted (201, or 202 when the projection is slower than SHARE_CREATE_WAIT on a loaded machine).
        assertThat(f.post("/v1/shares", f.keys.get("share"), share("9999-12-31T23:59:59Z")).statusCode()).isIn(201, 202);

        JsonNode from = problem(f.get("/v1/audit?from=%2B10000-01-01T00:00:00Z", f.admin()), 400);
        assertThat(from.get("detail").asText()).startsWith("from must be within 0001-01-01T00:00:00Z");
        JsonNode to = problem(f.get("/v1/audit?to=-0001-12-31T00:00:00Z", f.admin()), 400);
        assertThat(to.get("detail").asText()).startsWith("to must be within");
        assertThat(f.get("/v1/audit?from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z&bucket=" + f.bucket, f.admin())
                .statusCode()).isEqualTo(200);
        // A forged cursor carrying such a time is refused the same way, never a 500.
        problem(f.get("/v1/audit?cursor=" + Cursor.encode("audit:" + new dev.filetrail.api.audit.AuditRoutes.AuditFilter(
                null, null, null, null, null), "+99999-01-01T00:00:00Z", "x"), f.admin()), 400);
        problem(f.get(file(KEY) + "/shares?cursor=" + Cursor.encode("shares:" + f.bucket + "/" + KEY,
                "+99999-01-01T00:00:00Z", "shl_x"), f.keys.get("share")), 400);
    }

    @Test
    void nulInPrefixOrCursorIs400() {
        JsonNode prefix = problem(f.get("/v1/buckets/" + f.bucket + "/files?prefix=door%00", f.admin()), 400);
        assertThat(prefix.get("detail").asText()).contains("prefix", "U+0000");
        problem(f.get("/v1/buckets/" + f.bucket + "/files?cursor=" + Cursor.encode("files:" + f.bucket + ":", "a\u0000b"),
                f.admin()), 400);
        problem(f.get(file(KEY) + "/versions?cursor=" + Cursor.encode("versions:" + f.bucket + "/" + KEY, "\u0000", "v"),
                f.admin()), 400);
        // A cursor holding a stored form no key produces (a dangling escape) is forged too.
        problem(f.get("/v1/buckets/" + f.bucket + "/files?cursor=" + Cursor.encode("files:" + f.bucket + ":", "a\u0001"),
                f.admin()), 400);
        problem(f.get("/v1/buckets/" + f.bucket + "/files?prefix=" + "%C3%A9".repeat(513), f.admin()), 400);
    }

    @Test
    void aWrongMethodOnAnExistingRouteIs405WithAllow() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("PUT /v1/shares", "POST");
        cases.put("DELETE /v1/buckets/" + f.bucket + "/files", "GET");
        cases.put("POST " + file(KEY) + "/versions", "GET");
        cases.put("PATCH /v1/shares/shl_000000000000000000000000", "GET");
        cases.put("POST /v1/ping", "GET");
        for (var c : cases.entrySet()) {
            String[] request = c.getKey().split(" ", 2);
            HttpResponse<String> r = f.send(HttpRequest.newBuilder(URI.create(f.baseUrl() + request[1]))
                    .method(request[0], HttpRequest.BodyPublishers.ofString("{}"))
                    .header("Content-Type", "application/json"), f.admin());
            problem(r, 405);
            assertThat(r.headers().firstValue("Allow")).as(c.getKey()).hasValueSatisfying(allow ->
                    assertThat(allow).contains(c.getValue()).doesNotContain(request[0]));
        }
        HttpResponse<String> shareLink = f.send(HttpRequest.newBuilder(URI.create(f.baseUrl()
                + "/v1/shares/shl_000000000000000000000000")).method("PUT", HttpRequest.BodyPublishers.noBody()), f.admin());
        assertThat(shareLink.headers().firstValue("Allow").orElse("")).contains("GET", "DELETE");
        // An unknown route stays a 404, not a 405.
        problem(f.send(HttpRequest.newBuilder(URI.create(f.baseUrl() + "/v1/nothing"))
                .method("PUT", HttpRequest.BodyPublishers.noBody()), f.admin()), 404);
    }

    @Test
    void jsonRoutesCheckTheContentType() {
        String body = share("2999-01-01T00:00:00Z");
        for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "application/jsonx",
                "application/json; charset=ISO-8859-1", null}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(f.baseUrl() + "/v1/shares"))
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (type != null) {
                request.header("Content-Type", type);
            }
            JsonNode problem = problem(f.send(request, f.keys.get("share")), 415);
            assertThat(problem.get("detail").asText()).as(type).contains("application/json");
        }
        HttpResponse<String> utf8 = f.send(HttpRequest.newBuilder(URI.create(f.baseUrl() + "/v1/shares"))
                .header("Content-Type", "Application/JSON; charset=\"utf-8\"")
                .POST(HttpRequest.BodyPublishers.ofString(body)), f.keys.get("share"));
        assertThat(utf8.statusCode()).as(utf8.body()).isIn(201, 202);
    }

    @Test
    void jettysOwnRefusalsAreProblemJsonToo() throws Exception {
        Map<String, String> requests = new LinkedHashMap<>();
        requests.put("bad escape", "GET /v1/buckets/" + f.bucket + "/files/a%zzb HTTP/1.1");
        requests.put("truncated escape", "GET /v1/buckets/" + f.bucket + "/files/a%4 HTTP/1.1");
        requests.put("NUL byte in the path", "GET /v1/buckets/" + f.bucket + "/files/a\u0000b HTTP/1.1");
        requests.put("space in the path", "GET /v1/buckets/" + f.bucket + "/files/a b HTTP/1.1");
        requests.put("URI too long", "GET /v1/buckets/" + f.bucket + "/files/" + "a".repeat(20_000) + " HTTP/1.1");
        for (var r : requests.entrySet()) {
            RawResponse response = raw(r.getValue() + "\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + f.admin()
                    + "\r\nConnection: close\r\n\r\n");
            assertThat(response.status()).as(r.getKey() + ": " + response).isBetween(400, 499);
            assertThat(response.header("content-type")).as(r.getKey() + ": " + response)
                    .startsWith("application/problem+json");
            JsonNode body = Json.MAPPER.readTree(response.body());
            assertThat(body.get("status").asInt()).as(r.getKey()).isEqualTo(response.status());
            assertThat(body.get("detail").asText()).as(r.getKey()).isNotBlank();
        }
        RawResponse headers = raw("GET /v1/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "b".repeat(40_000)
                + "\r\nConnection: close\r\n\r\n");
        assertThat(headers.status()).isEqualTo(431);
        assertThat(headers.header("content-type")).startsWith("application/problem+json");
        // Jetty refuses an escaped NUL in any path too, and says how to send such a key instead.
        RawResponse escaped = raw("GET " + file("door/no\u0000such") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Authorization: Bearer " + f.admin() + "\r\nConnection: close\r\n\r\n");
        assertThat(escaped.status()).as(escaped.toString()).isEqualTo(400);
        assertThat(escaped.header("content-type")).startsWith("application/problem+json");
        assertThat(Json.MAPPER.readTree(escaped.body()).get("detail").asText()).contains("?key=");
        HttpResponse<String> asParameter = f.get("/v1/buckets/" + f.bucket + "/files/~/versions?key=door%2Fno%00such",
                f.admin());
        assertThat(problem(asParameter, 404).get("type").asText()).endsWith("/not-found");
    }

    @Test
    void afterEveryKindOfBadRequestNewRecordsAreServed() {
        timestampsOutsideTheStoredRangeAre400NamingFieldAndRange();
        nulInPrefixOrCursorIs400();
        jsonRoutesCheckTheContentType();
        String key = "door/after-" + System.nanoTime() + ".txt";
        String version = f.feed.putVersion(key, "after".getBytes(StandardCharsets.UTF_8), "text/plain").versionId();
        ApiFixture.await("a new version after the bad requests", () -> {
            HttpResponse<String> r = f.get(file(key), f.admin());
            return r.statusCode() == 200 && r.body().contains(version);
        });
        ApiFixture.await("ready", () -> ApiFixture.status(f.http, f.adminUrl() + "/ready") == 200);
    }

    /** A response read off a raw socket. */
    record RawResponse(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
        }
    }

    static RawResponse raw(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", f.api.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(bytes);
            String text = bytes.toString(StandardCharsets.UTF_8);
            int split = text.indexOf("\r\n\r\n");
            String[] head = text.substring(0, split < 0 ? text.length() : split).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < head.length; i++) {
                int colon = head[i].indexOf(':');
                headers.put(head[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), head[i].substring(colon + 1).trim());
            }
            String body = split < 0 ? "" : text.substring(split + 4);
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = body.substring(body.indexOf("\r\n") + 2, body.lastIndexOf("\r\n0\r\n"));
            }
            return new RawResponse(Integer.parseInt(head[0].split(" ")[1]), headers, body);
        }
    }
}
