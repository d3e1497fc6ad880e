package dev.filetrail.api.urls;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.ApiFixture;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import dev.filetrail.events.history.FileVersion;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A first deploy: ECS injects the URL-signing secret while it still holds the value the stack generated, not a
 * PEM key. The API must start, serve history, shares and readiness, and answer every signed URL with a 503
 * problem naming the missing key, instead of crash-looping on the placeholder.
 */
@ExtendWith(RealParts.class)
class UrlSigningWithoutKeyTest {
    /** What Secrets Manager's generator put in the secret (32 letters and digits, as the stack asks for). */
    static final String PLACEHOLDER = "Q7v2kR9xLm4TzP0wY8cN3bH6jD1fG5sA";
    static final String KEY_PAIR_ID = "K3FIRSTDEPLOY";
    static final String FILE = "reports/first deploy.txt";

    static ApiFixture f;
    static FileVersion version;

    @BeforeAll
    static void start(KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3) {
        f = new ApiFixture("nokey", kafka, postgres, s3, true, Duration.ofSeconds(10), 1000, Map.of(
                "FILETRAIL_LOCAL_MODE", "false",
                "CLOUDFRONT_KEY_PAIR_ID", KEY_PAIR_ID,
                "CLOUDFRONT_PRIVATE_KEY", PLACEHOLDER));
        version = f.feed.putVersion(FILE, "seventeen bytes!!".getBytes(StandardCharsets.UTF_8), "text/plain");
        f.feed.attachThumbnail(FILE, version.versionId(), 64, new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        ApiFixture.await("version projected with its thumbnail", () -> {
            HttpResponse<String> history = f.get(file() + "/versions", f.keys.get("read"));
            return history.statusCode() == 200 && ApiFixture.json(history).path("versions").path(0).path("thumbnailCount").asInt() == 1;
        });
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static String file() {
        return f.filePath(FILE);
    }

    @Test
    void signedUrlsAnswer503NamingTheMissingKeyWhileHistoryServes() {
        assertThat(f.get(file(), f.keys.get("read")).statusCode()).isEqualTo(200);
        for (String path : new String[] {file() + "/versions/" + version.versionId() + "/url",
                file() + "/versions/" + version.versionId() + "/thumbnails/64/url"}) {
            HttpResponse<String> url = f.get(path, f.keys.get("read"));
            assertThat(url.statusCode()).as(path).isEqualTo(503);
            assertThat(url.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                    assertThat(type).startsWith("application/problem+json"));
            JsonNode problem = ApiFixture.json(url);
            assertThat(problem.path("type").asText()).endsWith("/url-signing-unavailable");
            assertThat(problem.path("detail").asText()).contains("CLOUDFRONT_PRIVATE_KEY").contains(KEY_PAIR_ID)
                    .doesNotContain(PLACEHOLDER);
        }
    }

    @Test
    void theChangeFeedAnswers503WhileItsCursorKeyIsThePublicLocalOne() {
        // Outside the local stack with no CHANGES_CURSOR_KEYS of its own: cursors anyone could forge are never served.
        for (String route : new String[] {"", "/latest-cursor", "/stream-ticket"}) {
            HttpResponse<String> answer = f.get("/v1/buckets/" + f.bucket + "/changes" + route, f.keys.get("read"));
            assertThat(answer.statusCode()).as(route + ": " + answer.body()).isEqualTo(503);
            assertThat(ApiFixture.json(answer).path("detail").asText()).contains("CHANGES_CURSOR_KEYS");
        }
        assertThat(f.get(file() + "/versions", f.keys.get("read")).statusCode()).isEqualTo(200);
    }

    @Test
    void readyStaysReadyAndSaysWhyUrlsCannotBeSigned() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String ready = f.adminUrl() + "/ready";
        ApiFixture.await("ready", () -> ApiFixture.status(http, ready) == 200);
        String signing = ApiFixture.json(http.send(HttpRequest.newBuilder(URI.create(ready)).build(),
                HttpResponse.BodyHandlers.ofString())).path("checks").path("urlSigning").asText();
        assertThat(signing).startsWith("UNAVAILABLE").contains("CLOUDFRONT_PRIVATE_KEY");
    }

    @Test
    void theSharePageNamesTheFileButOffersNoDownloadOrThumbnail() {
        HttpResponse<String> created = f.post("/v1/shares", f.keys.get("share"), "{\"bucket\":\"" + f.bucket
                + "\",\"key\":" + Json.writeString(FILE) + ",\"versionId\":\"" + version.versionId() + "\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        String url = ApiFixture.json(created).get("url").asText();

        HttpResponse<String> page = f.get("/s/" + url.substring(url.lastIndexOf('/') + 1), null);

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("first deploy.txt").contains("id=\"download-unavailable\"")
                .doesNotContain("id=\"download\"").doesNotContain("id=\"thumbnail\"");
    }

    @Test
    void theSignerResolvesItsKeyFromTheConfiguration(@TempDir Path dir) throws Exception {
        ApiConfig noKey = ApiConfig.fromMap(Map.of("FILETRAIL_LOCAL_MODE", "false"));
        assertThat(CloudFrontSigner.forConfig(noKey).available()).isFalse();
        assertThat(CloudFrontSigner.forConfig(noKey).unavailableReason()).hasValueSatisfying(reason ->
                assertThat(reason).contains("CLOUDFRONT_PRIVATE_KEY"));

        assertThat(CloudFrontSigner.forConfig(ApiConfig.fromMap(Map.of())).available())
                .as("local mode generates a pair").isTrue();

        CloudFrontKeyPair real = CloudFrontKeyPair.generate("K1");
        ApiConfig withKey = ApiConfig.fromMap(Map.of("FILETRAIL_LOCAL_MODE", "false", "CLOUDFRONT_KEY_PAIR_ID", "K1",
                "CLOUDFRONT_PRIVATE_KEY_PATH", Files.writeString(dir.resolve("k.pem"), real.privateKeyPem()).toString()));
        CloudFrontSigner signer = CloudFrontSigner.forConfig(withKey);
        assertThat(signer.available()).isTrue();
        assertThat(signer.unavailableReason()).isEmpty();
        assertThat(signer.keyPair().publicKey()).isEqualTo(real.publicKey());
        assertThat(signer.sourceVersion("a.txt", "v1", Duration.ofMinutes(1)).url()).contains("Key-Pair-Id=K1");
    }
}
