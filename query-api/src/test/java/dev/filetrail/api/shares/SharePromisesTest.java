package dev.filetrail.api.shares;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.ApiFixture;
import dev.filetrail.api.ReadModelFeed;
import dev.filetrail.api.http.ObjectPath;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import dev.filetrail.events.audit.AuditTypes;
import dev.filetrail.events.history.FileVersion;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Share links keep their promises, against the real API and edge: no original (nor a rendition as large) for a
 * link without downloads, no bucket or folder in the page, the client address from {@code X-Forwarded-For}
 * only behind a trusted proxy, and wrong passwords throttled per link and per client.
 */
@ExtendWith(RealParts.class)
class SharePromisesTest {
    static final Pattern URL_ATTRIBUTE = Pattern.compile("(href|src|action)=\"([^\"]*)\"");
    static final Pattern SRCSET = Pattern.compile("srcset=\"([^\"]*)\"");
    static final AtomicInteger CLIENTS = new AtomicInteger(1);
    static ApiFixture trusted;
    static ApiFixture untrusted;

    @BeforeAll
    static void start(KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3) {
        trusted = new ApiFixture("promises", kafka, postgres, s3, true, Duration.ofSeconds(10), 4,
                Map.of("TRUSTED_PROXIES", "127.0.0.1/32", "SHARE_PASSWORD_ATTEMPTS_PER_MINUTE", "3"));
        untrusted = new ApiFixture("untrusted", kafka, postgres, s3, true, Duration.ofSeconds(10), 4, Map.of());
    }

    @AfterAll
    static void stop() {
        trusted.close();
        untrusted.close();
    }

    /** A new client address, so that each exchange below has its own rate-limit bucket. */
    static String newClient() {
        int n = CLIENTS.getAndIncrement();
        return "203.0." + (113 + n / 250) + "." + (1 + n % 250);
    }

    static HttpResponse<String> get(ApiFixture fx, String path, String forwardedFor, String cookie) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(fx.baseUrl() + path));
        if (forwardedFor != null) {
            request.header("X-Forwarded-For", forwardedFor);
        }
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return fx.send(request, null);
    }

    static HttpResponse<String> password(ApiFixture fx, String path, String password, String forwardedFor) {
        return fx.send(HttpRequest.newBuilder(URI.create(fx.baseUrl() + path))
                .header("X-Forwarded-For", forwardedFor)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("password="
                        + URLEncoder.encode(password, StandardCharsets.UTF_8))), null);
    }

    /** The path {@code /s/{token}} of a new link. */
    static String share(ApiFixture fx, String key, String extra) {
        HttpResponse<String> created = fx.post("/v1/shares", fx.keys.get("share"), "{\"bucket\":\"" + fx.bucket
                + "\",\"key\":" + Json.writeString(key) + extra + "}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String url = json(created).get("url").asText();
        return url.substring(url.indexOf("/s/"));
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body());
        }
    }

    static void awaitFile(ApiFixture fx, String key, String needle) {
        String path = "/v1/buckets/" + fx.bucket + "/files/" + ObjectPath.encodeSegment(key);
        ApiFixture.await(key + " projected", () -> fx.get(path, fx.admin()).body().contains(needle));
    }

    /** Every URL the page names, from href/src/action and each srcset candidate. */
    static List<String> urls(String html) {
        List<String> urls = new ArrayList<>();
        Matcher attribute = URL_ATTRIBUTE.matcher(html);
        while (attribute.find()) {
            urls.add(attribute.group(2).replace("&amp;", "&"));
        }
        Matcher srcset = SRCSET.matcher(html);
        while (srcset.find()) {
            for (String candidate : srcset.group(1).split(",")) {
                urls.add(candidate.trim().split(" ")[0]);
            }
        }
        return urls;
    }

    /** Follows one of the page's relative URLs to the edge and returns the bytes it ends in. */
    static byte[] follow(ApiFixture fx, String pagePath, String relative) throws Exception {
        HttpResponse<String> redirect = get(fx, "/s/" + relative, newClient(), null);
        assertThat(redirect.statusCode()).as(pagePath + " -> " + relative).isEqualTo(302);
        String location = redirect.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(fx.edge.url() + "/");
        HttpResponse<byte[]> bytes = fx.http.send(HttpRequest.newBuilder(URI.create(location)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(bytes.statusCode()).isEqualTo(200);
        return bytes.body();
    }

    @Test
    void aLinkWithoutDownloadsNeverServesTheOriginalNorARenditionAsLargeAsIt() throws Exception {
        String key = "photos/small original.png";
        byte[] original = png(800, 600);
        FileVersion version = trusted.feed.putVersion(key, original, "image/png");
        // The thumbnailer does not upscale: the 1024 thumbnail of an 800x600 image is the image at full size.
        trusted.feed.attachThumbnails(key, version.versionId(), 800, 600, List.of(
                new ReadModelFeed.Rendition(64, 64, 48, png(64, 48)),
                new ReadModelFeed.Rendition(256, 256, 192, png(256, 192)),
                new ReadModelFeed.Rendition(512, 512, 384, png(512, 384)),
                new ReadModelFeed.Rendition(1024, 800, 600, original)));
        awaitFile(trusted, key, "\"size\":1024");

        String open = share(trusted, key, "");
        String openPage = get(trusted, open, newClient(), null).body();
        assertThat(openPage).as("a link with downloads may show the full-size rendition")
                .contains(open.substring(3) + "/preview/1024 800w");

        String closed = share(trusted, key, ",\"allowDownload\":false");
        HttpResponse<String> page = get(trusted, closed, newClient(), null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"no-download\"").doesNotContain("id=\"download\"")
                .doesNotContain("/preview/1024");
        List<String> urls = urls(page.body());
        assertThat(urls).isNotEmpty().allMatch(u -> u.startsWith(closed.substring(3) + "/preview/"));
        for (String url : new TreeSet<>(urls)) {
            byte[] served = follow(trusted, closed, url);
            assertThat(served).as(url).isNotEqualTo(original);
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(served));
            assertThat(image.getWidth()).as(url + " is smaller than the original").isLessThan(800);
        }
        assertThat(get(trusted, closed + "/preview/1024", newClient(), null).statusCode()).isEqualTo(404);
        assertThat(get(trusted, closed + "/preview/99", newClient(), null).statusCode()).isEqualTo(404);
        assertThat(get(trusted, closed + "/preview/x", newClient(), null).statusCode()).isEqualTo(404);
        HttpResponse<String> download = get(trusted, closed + "/download", newClient(), null);
        assertThat(download.statusCode()).isEqualTo(403);
        assertThat(download.headers().firstValue("Location")).isEmpty();
        assertThat(download.body()).contains("Download disabled");
    }

    @Test
    void aTextFileBehindALinkWithoutDownloadsGetsNoTextPreview() {
        String key = "notes/secret plans.txt";
        trusted.feed.putVersion(key, "the plans themselves".getBytes(StandardCharsets.UTF_8), "text/plain");
        awaitFile(trusted, key, "\"versionCount\":1");
        String withDownloads = get(trusted, share(trusted, key, ""), newClient(), null).body();
        assertThat(withDownloads).contains("id=\"text-preview\"").contains("the plans themselves");
        String without = get(trusted, share(trusted, key, ",\"allowDownload\":false"), newClient(), null).body();
        assertThat(without).doesNotContain("text-preview").doesNotContain("the plans themselves")
                .contains("id=\"type-icon\"");
    }

    @Test
    void thePageNamesNeitherTheBucketNorTheKeysFolders() throws Exception {
        String key = "clients/acme corp/2025 q3/plan ünï.txt";
        FileVersion version = trusted.feed.putVersion(key, "plan".getBytes(StandardCharsets.UTF_8), "text/plain");
        trusted.feed.attachThumbnail(key, version.versionId(), 256, png(256, 192));
        awaitFile(trusted, key, "\"thumbnails\":[{");
        String path = share(trusted, key, "");
        String html = get(trusted, path, newClient(), null).body();
        assertThat(html).contains("plan ünï.txt");
        for (String folder : List.of(trusted.bucket, trusted.derivativesBucket, "clients", "acme", "2025 q3",
                "2025%20q3", "2025+q3", "_derivatives", "Signature", "versionId")) {
            assertThat(html).as("the page names " + folder).doesNotContain(folder);
        }
        List<String> urls = urls(html);
        assertThat(urls).isNotEmpty().allMatch(u -> u.startsWith(path.substring(3) + "/"));
        assertThat(follow(trusted, path, path.substring(3) + "/download")).isEqualTo("plan".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theClientAddressComesFromForwardedForOnlyBehindATrustedProxy() {
        String key = "audit/who.txt";
        trusted.feed.putVersion(key, "who".getBytes(StandardCharsets.UTF_8), "text/plain");
        untrusted.feed.putVersion(key, "who".getBytes(StandardCharsets.UTF_8), "text/plain");
        awaitFile(trusted, key, "\"versionCount\":1");
        awaitFile(untrusted, key, "\"versionCount\":1");
        String viaProxy = newClient();
        assertThat(get(trusted, share(trusted, key, ""), "6.6.6.6, " + viaProxy, null).statusCode()).isEqualTo(200);
        assertThat(get(untrusted, share(untrusted, key, ""), "6.6.6.6", null).statusCode()).isEqualTo(200);
        assertThat(openedFrom(trusted, key)).as("the address the trusted proxy appended, not what the client wrote")
                .containsExactly(viaProxy);
        assertThat(openedFrom(untrusted, key)).as("no trusted proxy: the connection's address").containsOnly("127.0.0.1");

        // Untrusted: every request is 127.0.0.1 whatever the header says, so five spoofed addresses share one
        // bucket of 4 (one token was taken above, and may have come back since): the fifth is refused at the latest.
        List<Integer> spoofed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            spoofed.add(get(untrusted, "/s/" + ShareSecrets.newToken(), newClient(), null).statusCode());
        }
        assertThat(spoofed).as("spoofed addresses share the peer's bucket").containsOnly(404, 429).endsWith(429);

        // Trusted: each forwarded address has its own bucket of 4.
        for (int i = 0; i < 6; i++) {
            assertThat(get(trusted, "/s/" + ShareSecrets.newToken(), newClient(), null).statusCode()).isEqualTo(404);
        }
        String one = newClient();
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            statuses.add(get(trusted, "/s/" + ShareSecrets.newToken(), one, null).statusCode());
        }
        assertThat(statuses).containsExactly(404, 404, 404, 404, 429);
    }

    static Set<String> openedFrom(ApiFixture fx, String key) {
        Set<String> addresses = new TreeSet<>();
        ApiFixture.await("opening audited", () -> {
            JsonNode events = json(fx.get("/v1/audit?bucket=" + fx.bucket + "&key=" + ObjectPath.encodeSegment(key)
                    + "&type=" + AuditTypes.SHARE_OPENED, fx.admin())).get("events");
            addresses.clear();
            addresses.addAll(events.findValuesAsText("clientAddress"));
            return !addresses.isEmpty();
        });
        return addresses;
    }

    @Test
    void wrongPasswordsAreThrottledPerLinkAndPerClient() {
        String key = "vault/keys.txt";
        trusted.feed.putVersion(key, "keys".getBytes(StandardCharsets.UTF_8), "text/plain");
        awaitFile(trusted, key, "\"versionCount\":1");
        List<String> links = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            links.add(share(trusted, key, ",\"password\":\"right " + i + "\""));
        }

        // Per link: three addresses guess wrong on link 0; a fourth address is refused even with the right password.
        for (int i = 0; i < 3; i++) {
            assertThat(password(trusted, links.get(0), "guess " + i, newClient()).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> throttled = password(trusted, links.get(0), "right 0", newClient());
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.body()).contains("Too many wrong passwords for this link. Try again in");
        assertThat(Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 20L);
        assertThat(password(trusted, links.get(1), "right 1", newClient()).statusCode())
                .as("another link is not affected").isEqualTo(303);

        // Per client: one address guessing across links is refused on the next link, which others still open.
        String guesser = newClient();
        assertThat(password(trusted, links.get(1), "guess", guesser).statusCode()).isEqualTo(401);
        assertThat(password(trusted, links.get(2), "guess", guesser).statusCode()).isEqualTo(401);
        assertThat(password(trusted, links.get(2), "guess again", guesser).statusCode()).isEqualTo(401);
        HttpResponse<String> refused = password(trusted, links.get(3), "right 3", guesser);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.body()).contains("Too many wrong passwords from your address.");
        assertThat(password(trusted, links.get(3), "right 3", newClient()).statusCode()).isEqualTo(303);
    }

    private static byte[] png(int width, int height) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < width; x++) {
            image.setRGB(x, height / 2, 0x336699 + x);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
