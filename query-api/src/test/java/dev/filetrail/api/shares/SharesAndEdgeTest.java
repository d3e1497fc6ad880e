package dev.filetrail.api.shares;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.ApiFixture;
import dev.filetrail.api.edge.CannedPolicyVerifier;
import dev.filetrail.api.http.ObjectPath;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import dev.filetrail.events.audit.AuditTypes;
import dev.filetrail.events.history.FileVersion;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealParts.class)
class SharesAndEdgeTest {
    static ApiFixture f;
    static ApiFixture slow;
    static final String KEY = "photos/2024/ünï cødé+100%.txt";
    static FileVersion v1;
    static FileVersion v2;

    @BeforeAll
    static void start(KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3) {
        f = new ApiFixture("shares", kafka, postgres, s3, true, Duration.ofSeconds(10), 1000);
        slow = new ApiFixture("slow", kafka, postgres, s3, false, Duration.ofMillis(300), 3);
        v1 = f.feed.putVersion(KEY, "version one bytes".getBytes(StandardCharsets.UTF_8), "text/plain");
        v2 = f.feed.putVersion(KEY, "version two bytes!".getBytes(StandardCharsets.UTF_8), "text/plain");
        f.feed.attachThumbnail(KEY, v2.versionId(), 64, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        slow.feed.putVersion("a.txt", "x".getBytes(StandardCharsets.UTF_8), "text/plain");
        ApiFixture.await("projected", () -> json(f.get(file(f, KEY), f.admin())).path("thumbnails").size() == 1
                && slow.get(file(slow, "a.txt"), slow.admin()).statusCode() == 200);
    }

    @AfterAll
    static void stop() {
        f.close();
        slow.close();
    }

    static String file(ApiFixture fx, String key) {
        return "/v1/buckets/" + fx.bucket + "/files/" + ObjectPath.encodeSegment(key);
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + r.body());
        }
    }

    static HttpResponse<byte[]> fetch(String url) throws Exception {
        return f.http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void signedUrlVerifiesIndependentlyAndTheEdgeServesThatVersion() throws Exception {
        JsonNode signed = json(f.get(file(f, KEY) + "/versions/" + ObjectPath.encodeSegment(v1.versionId()) + "/url?ttl=120",
                f.keys.get("read")));
        String url = signed.get("url").asText();
        URI uri = URI.create(url);
        // Independent check with the public key, as CloudFront does: SHA1withRSA over the canned policy.
        String query = uri.getRawQuery();
        String expires = param(query, "Expires");
        String resource = url.substring(0, url.indexOf("&Expires="));
        String policy = "{\"Statement\":[{\"Resource\":\"" + resource
                + "\",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":" + expires + "}}}]}";
        Signature rsa = Signature.getInstance("SHA1withRSA");
        rsa.initVerify(f.api.cloudFrontPublicKey());
        rsa.update(policy.getBytes(StandardCharsets.UTF_8));
        assertThat(rsa.verify(CannedPolicyVerifier.decodeCloudFrontBase64(param(query, "Signature")))).isTrue();
        assertThat(param(query, "Key-Pair-Id")).isEqualTo(f.config.cloudFrontKeyPairId());
        long ttl = Long.parseLong(expires) - Instant.now().getEpochSecond();
        assertThat(ttl).isBetween(110L, 122L);

        HttpResponse<byte[]> bytes = fetch(url);
        assertThat(bytes.statusCode()).isEqualTo(200);
        assertThat(new String(bytes.body(), StandardCharsets.UTF_8)).isEqualTo("version one bytes");

        String tampered = url.replace("Expires=" + expires, "Expires=" + (Long.parseLong(expires) + 1));
        HttpResponse<byte[]> denied = fetch(tampered);
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(new String(denied.body(), StandardCharsets.UTF_8)).contains("<Code>AccessDenied</Code>");
        String otherVersion = url.replace(ObjectPath.encodeSegment(v1.versionId()), ObjectPath.encodeSegment(v2.versionId()));
        assertThat(fetch(otherVersion).statusCode()).isEqualTo(403);
        assertThat(fetch(url.substring(0, url.indexOf("&Expires="))).statusCode()).isEqualTo(403);
        String unsigned = new String(fetch(url.substring(0, url.indexOf("&Expires="))).body(), StandardCharsets.UTF_8);
        assertThat(unsigned).contains("MissingKey");
    }

    @Test
    void expiredSignaturesAreRefusedByTheVerifier() {
        var signer = new dev.filetrail.api.urls.CloudFrontSigner("http://edge.example", f.api.cloudFrontKeyPair());
        String url = signer.sourceVersion("k.txt", "v1", Duration.ofSeconds(30)).url();
        URI uri = URI.create(url);
        var verifier = new CannedPolicyVerifier(java.util.Map.of(f.config.cloudFrontKeyPairId(), f.api.cloudFrontPublicKey()));
        assertThat(verifier.verify("http://edge.example", uri.getRawPath(), uri.getRawQuery(), Instant.now())).isNull();
        assertThat(verifier.verify("http://edge.example", uri.getRawPath(), uri.getRawQuery(),
                Instant.now().plusSeconds(60)).code()).isEqualTo("AccessDenied");
        assertThat(verifier.verify("http://other.example", uri.getRawPath(), uri.getRawQuery(), Instant.now()).code())
                .isEqualTo("AccessDenied");
    }

    @Test
    void thumbnailUrlsServeTheDerivative() throws Exception {
        JsonNode one = json(f.get(file(f, KEY), f.keys.get("read")));
        String urlPath = one.get("thumbnails").get(0).get("urlPath").asText();
        JsonNode signed = json(f.get(urlPath, f.keys.get("read")));
        HttpResponse<byte[]> png = fetch(signed.get("url").asText());
        assertThat(png.statusCode()).isEqualTo(200);
        assertThat(png.body()).containsExactly((byte) 0x89, 'P', 'N', 'G', 1, 2, 3);
        JsonNode current = json(f.get(file(f, KEY) + "/thumbnails/64/url", f.keys.get("read")));
        assertThat(current.get("versionId").asText()).isEqualTo(v2.versionId());
    }

    @Test
    void shareLinksCreateOpenCountAndRevoke() throws Exception {
        HttpResponse<String> created = f.post("/v1/shares", f.keys.get("share"), "{\"bucket\":\"" + f.bucket
                + "\",\"key\":" + Json.writeString(KEY) + ",\"versionId\":\"" + v1.versionId() + "\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode body = json(created);
        String url = body.get("url").asText();
        String id = body.get("id").asText();
        assertThat(url).startsWith(f.config.publicBaseUrl() + "/s/");
        String token = url.substring(url.lastIndexOf('/') + 1);
        assertThat(java.util.Base64.getUrlDecoder().decode(token)).hasSize(32);
        assertThat(created.headers().firstValue("Location")).hasValue("/v1/shares/" + id);
        assertThat(body.get("link").get("pinnedVersionId").asText()).isEqualTo(v1.versionId());
        assertThat(created.body()).doesNotContain(ShareSecrets.tokenHash(token));
        JsonNode fetched = json(f.get("/v1/shares/" + id, f.keys.get("share")));
        assertThat(fetched.toString()).doesNotContain(token).doesNotContain(ShareSecrets.tokenHash(token));

        HttpResponse<String> page = f.get("/s/" + token, null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("ünï cødé+100%.txt").contains("17 bytes").contains("id=\"download\"");
        Matcher href = Pattern.compile("id=\"download\" class=\"button\" href=\"([^\"]+)\"").matcher(page.body());
        assertThat(href.find()).isTrue();
        assertThat(href.group(1)).isEqualTo(token + "/download");
        HttpResponse<String> redirect = f.get("/s/" + href.group(1), null);
        assertThat(redirect.statusCode()).isEqualTo(302);
        String signed = redirect.headers().firstValue("Location").orElseThrow();
        assertThat(signed).startsWith(f.edge.url() + "/").contains("Signature=");
        long ttl = Long.parseLong(param(URI.create(signed).getRawQuery(), "Expires")) - Instant.now().getEpochSecond();
        assertThat(ttl).as("download redirects are signed for a minute").isBetween(50L, 62L);
        HttpResponse<byte[]> download = fetch(signed);
        assertThat(new String(download.body(), StandardCharsets.UTF_8)).isEqualTo("version one bytes");
        ApiFixture.await("download audited", () -> json(f.get("/v1/audit?bucket=" + f.bucket + "&type="
                + AuditTypes.URL_ISSUED, f.admin())).get("events").findValuesAsText("linkId").contains(id));

        ApiFixture.await("access counted", () -> json(f.get("/v1/shares/" + id, f.admin())).get("accessCount").asLong() >= 1);
        ApiFixture.await("opening audited", () -> json(f.get("/v1/audit?bucket=" + f.bucket + "&type="
                + AuditTypes.SHARE_OPENED, f.admin())).get("events").findValuesAsText("linkId").contains(id));

        JsonNode listed = json(f.get(file(f, KEY) + "/shares", f.keys.get("share")));
        assertThat(listed.get("links").findValuesAsText("id")).contains(id);

        HttpResponse<String> revoked = f.delete("/v1/shares/" + id, f.keys.get("share"));
        assertThat(revoked.statusCode()).isEqualTo(200);
        assertThat(json(revoked).get("status").asText()).isEqualTo("REVOKED");
        HttpResponse<String> gone = f.get("/s/" + token, null);
        HttpResponse<String> unknown = f.get("/s/" + ShareSecrets.newToken(), null);
        HttpResponse<String> garbage = f.get("/s/not-a-token", null);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(gone.body()).isEqualTo(unknown.body()).isEqualTo(garbage.body());
        assertThat(f.get("/s/" + token + "/download", null).statusCode()).as("revoked: no more downloads").isEqualTo(404);
    }

    @Test
    void expiredLinksGetTheSame404AndNoDownloadLinksHideTheButton() throws Exception {
        String expiring = json(f.post("/v1/shares", f.keys.get("share"), "{\"bucket\":\"" + f.bucket + "\",\"key\":"
                + Json.writeString(KEY) + ",\"expiresAt\":\"" + Instant.now().plusSeconds(2) + "\"}")).get("url").asText();
        assertThat(f.get(expiring.substring(expiring.indexOf("/s/")), null).statusCode()).isEqualTo(200);
        ApiFixture.await("link expired", () -> f.get(expiring.substring(expiring.indexOf("/s/")), null).statusCode() == 404);
        assertThat(f.get(expiring.substring(expiring.indexOf("/s/")), null).body())
                .isEqualTo(f.get("/s/" + ShareSecrets.newToken(), null).body());

        String noDownload = json(f.post("/v1/shares", f.keys.get("share"), "{\"bucket\":\"" + f.bucket + "\",\"key\":"
                + Json.writeString(KEY) + ",\"allowDownload\":false}")).get("url").asText();
        String page = f.get(noDownload.substring(noDownload.indexOf("/s/")), null).body();
        assertThat(page).contains("id=\"no-download\"").doesNotContain("id=\"download\"").doesNotContain("versionId=");
        assertThat(page).contains("18 bytes");
    }

    @Test
    void passwordProtectedLinksAskFirst() {
        HttpResponse<String> created = f.post("/v1/shares", f.keys.get("share"), "{\"bucket\":\"" + f.bucket
                + "\",\"key\":" + Json.writeString(KEY) + ",\"password\":\"correct horse\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(json(created).get("link").get("hasPassword").asBoolean()).isTrue();
        String path = json(created).get("url").asText().substring(json(created).get("url").asText().indexOf("/s/"));
        HttpResponse<String> form = f.get(path, null);
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(form.body()).contains("id=\"password-form\"").doesNotContain("Signature=");
        HttpResponse<String> wrong = f.send(HttpRequest.newBuilder(URI.create(f.baseUrl() + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("password=wrong")), null);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("id=\"error\"").doesNotContain("Signature=");
        assertThat(f.get(path + "/download", null).statusCode()).as("locked: back to the form").isEqualTo(303);
        HttpResponse<String> right = f.send(HttpRequest.newBuilder(URI.create(f.baseUrl() + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("password=correct+horse")), null);
        assertThat(right.statusCode()).isEqualTo(303);
        assertThat(right.headers().firstValue("Location")).hasValue(path);
        String setCookie = right.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith("ft_unlock=").contains("Path=" + path).contains("HttpOnly")
                .contains("SameSite=Strict").contains("Max-Age=1800");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        HttpResponse<String> unlocked = f.send(HttpRequest.newBuilder(URI.create(f.baseUrl() + path))
                .header("Cookie", cookie), null);
        assertThat(unlocked.statusCode()).isEqualTo(200);
        assertThat(unlocked.body()).contains("id=\"download\"").doesNotContain("Signature=");
        HttpResponse<String> download = f.send(HttpRequest.newBuilder(URI.create(f.baseUrl() + path + "/download"))
                .header("Cookie", cookie), null);
        assertThat(download.statusCode()).isEqualTo(302);
        assertThat(download.headers().firstValue("Location").orElseThrow()).contains("Signature=");

        String forged = cookie.substring(0, cookie.length() - 2) + (cookie.endsWith("A") ? "BB" : "AA");
        assertThat(f.send(HttpRequest.newBuilder(URI.create(f.baseUrl() + path + "/download")).header("Cookie", forged),
                null).statusCode()).as("a forged cookie unlocks nothing").isEqualTo(303);
        String other = json(f.post("/v1/shares", f.keys.get("share"), "{\"bucket\":\"" + f.bucket + "\",\"key\":"
                + Json.writeString(KEY) + ",\"password\":\"correct horse\"}")).get("url").asText();
        String otherPath = other.substring(other.indexOf("/s/"));
        assertThat(f.send(HttpRequest.newBuilder(URI.create(f.baseUrl() + otherPath + "/download"))
                .header("Cookie", cookie), null).statusCode()).as("one link's cookie opens no other").isEqualTo(303);
    }

    @Test
    void createAnswers202WhenTheProjectionDoesNotCatchUp() {
        HttpResponse<String> created = slow.post("/v1/shares", slow.keys.get("share"),
                "{\"bucket\":\"" + slow.bucket + "\",\"key\":\"a.txt\"}");
        assertThat(created.statusCode()).isEqualTo(202);
        String id = json(created).get("id").asText();
        assertThat(created.headers().firstValue("Location")).hasValue("/v1/shares/" + id);
        assertThat(json(created).get("url").asText()).contains("/s/");
        assertThat(slow.get("/v1/shares/" + id, slow.keys.get("share")).statusCode()).isEqualTo(404);
        assertThat(slow.post("/v1/shares", slow.keys.get("share"), "{\"bucket\":\"" + slow.bucket
                + "\",\"key\":\"missing.txt\"}").statusCode()).isEqualTo(404);
    }

    @Test
    void sharePagesAreRateLimitedPerClient() {
        int limited = 0;
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = slow.get("/s/" + ShareSecrets.newToken(), null);
            if (r.statusCode() == 429) {
                limited++;
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
            } else {
                assertThat(r.statusCode()).isEqualTo(404);
            }
        }
        assertThat(limited).isGreaterThanOrEqualTo(3);
    }

    private static String param(String query, String name) {
        for (String pair : query.split("&")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        throw new AssertionError("no " + name + " in " + query);
    }
}
