package dev.filetrail.api.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.ApiFixture;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Keys limited to a bucket and a key prefix, and keys that expire, over HTTP against the real API: 403 outside,
 * listings and audit narrowed, share links revocable only by their creator or an admin key.
 */
@ExtendWith(RealParts.class)
class ScopedKeysTest {
    static ApiFixture f;
    static String teamA;
    static String teamAdmin;
    static String teamShare;

    @BeforeAll
    static void start(KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3) {
        f = new ApiFixture("scoped", kafka, postgres, s3, true, Duration.ofSeconds(10), 1000);
        for (String key : List.of("team-a/plan.txt", "team-a/sub/notes.txt", "team-b/secret.txt", "top.txt")) {
            f.feed.putVersion(key, key.getBytes(StandardCharsets.UTF_8), "text/plain");
        }
        ApiFixture.await("projected", () -> f.get(f.filePath("top.txt"), f.admin()).statusCode() == 200
                && f.get(f.filePath("team-a/plan.txt"), f.admin()).statusCode() == 200);
        ApiKeys.Limits limits = new ApiKeys.Limits(Set.of(f.bucket), "team-a/", null);
        teamA = f.api.apiKeys().create("team-a", EnumSet.of(Scope.READ, Scope.WRITE), limits, false).plaintext();
        teamAdmin = f.api.apiKeys().create("team-a-admin", EnumSet.of(Scope.ADMIN), limits, false).plaintext();
        teamShare = f.api.apiKeys().create("team-a-share", EnumSet.of(Scope.SHARE), limits, false).plaintext();
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @Test
    void aKeyLimitedToABucketAndPrefixIsRefusedEverywhereElse() {
        assertThat(f.get(f.filePath("team-a/plan.txt"), teamA).statusCode()).isEqualTo(200);
        assertThat(f.get(f.filePath("team-a/plan.txt") + "/versions", teamA).statusCode()).isEqualTo(200);
        HttpResponse<String> outside = f.get(f.filePath("team-b/secret.txt"), teamA);
        assertThat(outside.statusCode()).as(outside.body()).isEqualTo(403);
        assertThat(ApiFixture.json(outside).get("detail").asText()).contains("team-a/").contains("team-b/secret.txt");
        assertThat(f.get(f.filePath("team-b/secret.txt") + "/versions", teamA).statusCode()).isEqualTo(403);
        assertThat(f.get("/v1/buckets/another-bucket/files/team-a%2Fplan.txt", teamA).statusCode()).isEqualTo(403);
        assertThat(f.get("/v1/buckets/another-bucket/files", teamA).statusCode()).isEqualTo(403);
        // The write actions are file routes too.
        String v = f.feed.current("team-b/secret.txt").versionId();
        assertThat(f.post(f.filePath("team-b/secret.txt") + "/versions/" + v + "/restore", teamA, "{}").statusCode())
                .isEqualTo(403);
        // An unlimited key of the same scope still sees everything.
        assertThat(f.get(f.filePath("team-b/secret.txt"), f.keys.get("read")).statusCode()).isEqualTo(200);
    }

    @Test
    void listingIsNarrowedToThePrefixAndRefusedBesideIt() {
        assertThat(keys(f.get("/v1/buckets/" + f.bucket + "/files", teamA)))
                .containsExactly("team-a/plan.txt", "team-a/sub/notes.txt");
        assertThat(keys(f.get("/v1/buckets/" + f.bucket + "/files?prefix=team-a/sub", teamA)))
                .containsExactly("team-a/sub/notes.txt");
        assertThat(f.get("/v1/buckets/" + f.bucket + "/files?prefix=team-b/", teamA).statusCode()).isEqualTo(403);
        assertThat(keys(f.get("/v1/buckets/" + f.bucket + "/files", f.keys.get("read"))))
                .contains("team-b/secret.txt", "top.txt");
    }

    @Test
    void theChangeFeedIsOnlyFollowedWithinThePrefix() {
        String changes = "/v1/buckets/" + f.bucket + "/changes";
        HttpResponse<String> within = f.get(changes + "?prefix=team-a/", teamA);
        assertThat(within.statusCode()).as(within.body()).isEqualTo(200);
        ApiFixture.json(within).get("changes").forEach(c -> assertThat(c.get("key").asText()).startsWith("team-a/"));
        assertThat(f.get(changes + "?prefix=team-a/sub/", teamA).statusCode()).isEqualTo(200);
        for (String wider : List.of(changes, changes + "?prefix=team-b/", changes + "?prefix=team-",
                changes + "/latest-cursor", changes + "/stream-ticket?prefix=")) {
            HttpResponse<String> refused = f.get(wider, teamA);
            assertThat(refused.statusCode()).as(wider + ": " + refused.body()).isEqualTo(403);
        }
        // A cursor an unlimited key took for the whole bucket does not open it to the limited key either.
        String whole = ApiFixture.json(f.get(changes + "/latest-cursor", f.keys.get("read"))).get("cursor").asText();
        assertThat(f.get(changes + "?cursor=" + whole, teamA).statusCode()).isEqualTo(403);
        assertThat(f.get(changes + "/wait?timeout=30&cursor=" + whole, teamA).statusCode()).isEqualTo(403);
        assertThat(f.get("/v1/buckets/another-bucket/changes?prefix=team-a/", teamA).statusCode()).isEqualTo(403);
    }

    @Test
    void auditIsFilteredToTheKeysBucketAndPrefix() {
        ApiFixture.await("audit projected", () -> f.get("/v1/audit?bucket=" + f.bucket, f.admin()).body()
                .contains("team-b/secret.txt"));
        HttpResponse<String> scoped = f.get("/v1/audit", teamAdmin);
        assertThat(scoped.statusCode()).as(scoped.body()).isEqualTo(200);
        List<String> subjects = new ArrayList<>();
        ApiFixture.json(scoped).get("events").forEach(e -> subjects.add(e.get("subject").asText()));
        assertThat(subjects).isNotEmpty().allMatch(s -> s.startsWith(f.bucket + "/team-a/"));
        assertThat(f.get("/v1/audit?bucket=" + f.bucket, teamAdmin).body()).doesNotContain("team-b/", "top.txt");
        assertThat(f.get("/v1/audit?bucket=another-bucket", teamAdmin).statusCode()).isEqualTo(403);
        assertThat(f.get("/v1/audit?bucket=" + f.bucket + "&key=team-b/secret.txt", teamAdmin).statusCode())
                .isEqualTo(403);
        assertThat(f.get("/v1/audit?bucket=" + f.bucket, f.admin()).body()).contains("team-b/secret.txt");
    }

    @Test
    void aShareLinkIsRevokedOnlyByTheKeyThatCreatedItOrAnAdminKey() {
        String body = "{\"bucket\":\"" + f.bucket + "\",\"key\":\"team-a/plan.txt\"}";
        HttpResponse<String> created = f.post("/v1/shares", teamShare, body);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String link = ApiFixture.json(created).get("id").asText();
        assertThat(ApiFixture.json(created).get("link").get("createdBy").asText()).startsWith("key:");
        assertThat(f.post("/v1/shares", teamShare, "{\"bucket\":\"" + f.bucket + "\",\"key\":\"team-b/secret.txt\"}")
                .statusCode()).isEqualTo(403);

        HttpResponse<String> byOther = f.delete("/v1/shares/" + link, f.keys.get("share"));
        assertThat(byOther.statusCode()).as(byOther.body()).isEqualTo(403);
        assertThat(ApiFixture.json(byOther).get("detail").asText()).contains("created by another key");
        HttpResponse<String> byCreator = f.delete("/v1/shares/" + link, teamShare);
        assertThat(byCreator.statusCode()).as(byCreator.body()).isEqualTo(200);
        assertThat(ApiFixture.json(byCreator).get("status").asText()).isEqualTo("REVOKED");

        String other = ApiFixture.json(f.post("/v1/shares", f.keys.get("share"),
                "{\"bucket\":\"" + f.bucket + "\",\"key\":\"team-b/secret.txt\"}")).get("id").asText();
        assertThat(f.get("/v1/shares/" + other, teamShare).statusCode()).isEqualTo(403);
        assertThat(f.delete("/v1/shares/" + other, teamShare).statusCode()).isEqualTo(403);
        HttpResponse<String> byAdmin = f.delete("/v1/shares/" + other, f.admin());
        assertThat(byAdmin.statusCode()).as(byAdmin.body()).isEqualTo(200);
    }

    @Test
    void anExpiredKeyFailsLikeARevokedOneAndTheCacheKnowsWithoutAskingTheDatabase() {
        var past = f.api.apiKeys().create("expired", EnumSet.of(Scope.READ),
                new ApiKeys.Limits(Set.of(), null, Instant.now().minusSeconds(1)), false);
        HttpResponse<String> refused = f.get("/v1/ping", past.plaintext());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).contains("expired");

        KeyCache cache = new KeyCache(KeyCache.Settings.DEFAULT, new SimpleMeterRegistry());
        cache.startServing();
        ApiKeys keys = new ApiKeys(f.api.dataSource(), cache);
        var soon = keys.create("soon", EnumSet.of(Scope.READ),
                new ApiKeys.Limits(Set.of(), null, Instant.now().plusSeconds(1)), false);
        assertThat(keys.verify(soon.plaintext())).isPresent();
        assertThat(cache.lookup(soon.id())).isInstanceOf(KeyCache.Found.class);
        ApiFixture.await("key expired", () -> keys.verify(soon.plaintext()).isEmpty());
        // Still cached, and refused from memory: the expiry is checked on the cached key itself.
        assertThat(cache.lookup(soon.id())).isInstanceOf(KeyCache.Found.class);
        assertThat(f.api.apiKeys().list()).filteredOn(k -> k.id().equals(soon.id())).singleElement()
                .satisfies(k -> assertThat(k.limits().expiresAt()).isNotNull());
    }

    static List<String> keys(HttpResponse<String> listing) {
        assertThat(listing.statusCode()).as(listing.body()).isEqualTo(200);
        List<String> keys = new ArrayList<>();
        for (JsonNode file : ApiFixture.json(listing).get("files")) {
            keys.add(file.get("key").asText());
        }
        return keys;
    }
}
