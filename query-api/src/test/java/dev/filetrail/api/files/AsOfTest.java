package dev.filetrail.api.files;

import static dev.filetrail.api.ApiFixture.await;
import static dev.filetrail.api.ApiFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.ApiFixture;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.history.FileVersion;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Point-in-time reads on the real projector and PostgreSQL: after uploads, overwrites, delete markers, a permanent
 * delete of a newest version, of a key's only version, and an upload over a delete marker, the listing and the file route as of several
 * instants equal what a log of those operations says was current then.
 */
@ExtendWith(RealParts.class)
class AsOfTest {
    private static ApiFixture f;
    /** Instants between the steps, and per instant the files under {@code a/} that were current: key → versionId. */
    private static final Map<String, Instant> at = new LinkedHashMap<>();
    private static final Map<String, Map<String, String>> expected = new LinkedHashMap<>();
    private static String a1v1;
    private static String a1v2;
    private static String a2v1;
    private static String a2marker;
    private static String a4;

    @BeforeAll
    static void start(KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3) throws Exception {
        f = new ApiFixture("asof", kafka, postgres, s3, false, Duration.ofSeconds(5), 1000);
        mark("t0");
        expected.put("t0", Map.of());
        a1v1 = put("a/1.txt");
        a2v1 = put("a/2.txt");
        a4 = put("a/4.txt");
        put("b/outside.txt");
        mark("t1");
        expected.put("t1", Map.of("a/1.txt", a1v1, "a/2.txt", a2v1, "a/4.txt", a4));
        a1v2 = put("a/1.txt");
        a2marker = f.feed.deleteMarker("a/2.txt").versionId();
        mark("t2");
        expected.put("t2", Map.of("a/1.txt", a1v2, "a/4.txt", a4));
        f.feed.removeVersion("a/1.txt", a1v2, "deleted");     // the newest, deleted for good: v1 is current again
        String a3 = put("a/3.txt");
        mark("t3");
        expected.put("t3", Map.of("a/1.txt", a1v1, "a/3.txt", a3, "a/4.txt", a4));
        f.feed.deleteMarker("a/3.txt");
        // Its only version deleted for good: the key leaves the live read model (no head row), yet it was a file
        // until then.
        f.feed.removeVersion("a/4.txt", a4, "deleted");
        String a2v2 = put("a/2.txt");                           // an upload over the delete marker
        mark("t4");
        expected.put("t4", Map.of("a/1.txt", a1v1, "a/2.txt", a2v2));
        // Projected to the end, seen through the live routes.
        await("the last steps projected", () -> versions("a/2.txt").contains(a2v2)
                && f.get(f.filePath("a/3.txt"), f.admin()).statusCode() == 200
                && json(f.get(f.filePath("a/3.txt"), f.admin())).get("deleted").asBoolean()
                && f.get(f.filePath("a/4.txt"), f.admin()).statusCode() == 404
                && !versions("a/1.txt").contains(a1v2));
    }

    @AfterAll
    static void stop() {
        if (f != null) {
            f.close();
        }
    }

    private static String put(String key) {
        FileVersion v = f.feed.putVersion(key, key.getBytes(StandardCharsets.UTF_8), "text/plain");
        return v.versionId();
    }

    /** An instant strictly between the steps before and after it (event times are taken with Instant.now()). */
    private static void mark(String name) throws InterruptedException {
        Thread.sleep(5);
        at.put(name, Instant.now());
        Thread.sleep(5);
    }

    private static List<String> versions(String key) {
        HttpResponse<String> r = f.get(f.filePath(key) + "/versions", f.admin());
        List<String> ids = new ArrayList<>();
        if (r.statusCode() == 200) {
            json(r).get("versions").forEach(v -> ids.add(v.get("versionId").asText()));
        }
        return ids;
    }

    private static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static Map<String, String> listing(Instant asOf, int limit) {
        Map<String, String> files = new TreeMap<>();
        String cursor = null;
        int pages = 0;
        do {
            HttpResponse<String> r = f.get("/v1/buckets/" + f.bucket + "/files?prefix=a/&limit=" + limit + "&asOf="
                    + q(asOf.toString()) + (cursor == null ? "" : "&cursor=" + q(cursor)), f.admin());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode page = json(r);
            assertThat(page.get("asOf").asText()).isEqualTo(asOf.toString());
            for (JsonNode file : page.get("files")) {
                assertThat(files.put(file.get("key").asText(), file.get("versionId").asText())).as("no duplicates")
                        .isNull();
            }
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
            assertThat(++pages).isLessThan(10);
        } while (cursor != null);
        return files;
    }

    @Test
    void theListingAsOfEachInstantHoldsTheFilesThatWereCurrentThen() {
        for (String name : at.keySet()) {
            assertThat(listing(at.get(name), 100)).as("as of %s", name).isEqualTo(new TreeMap<>(expected.get(name)));
            assertThat(listing(at.get(name), 1)).as("as of %s, one file a page", name)
                    .isEqualTo(new TreeMap<>(expected.get(name)));
        }
    }

    @Test
    void theFileAsOfAnInstantIsTheVersionThatWasCurrentThen() {
        assertThat(json(f.get(f.filePath("a/1.txt") + "?asOf=" + q(at.get("t2").toString()), f.admin()))
                .get("version").get("versionId").asText()).as("removed later, current then").isEqualTo(a1v2);
        assertThat(json(f.get(f.filePath("a/1.txt") + "?asOf=" + q(at.get("t3").toString()), f.admin()))
                .get("version").get("versionId").asText()).isEqualTo(a1v1);
        assertThat(json(f.get(f.filePath("a/4.txt") + "?asOf=" + q(at.get("t3").toString()), f.admin()))
                .get("version").get("versionId").asText()).as("every version removed later").isEqualTo(a4);
        HttpResponse<String> deleted = f.get(f.filePath("a/2.txt") + "?asOf=" + q(at.get("t2").toString()), f.admin());
        assertThat(deleted.statusCode()).isEqualTo(404);
        assertThat(json(deleted).get("detail").asText()).contains("was deleted").contains(a2marker);
        HttpResponse<String> before = f.get(f.filePath("a/1.txt") + "?asOf=" + q(at.get("t0").toString()), f.admin());
        assertThat(before.statusCode()).isEqualTo(404);
        assertThat(json(before).get("detail").asText()).contains("existed");
        // The live answer is unchanged by the as-of one (the cache keeps them apart).
        assertThat(json(f.get(f.filePath("a/2.txt"), f.admin())).get("deleted").asBoolean()).isFalse();
    }

    @Test
    void withHeadSnapshotsTheListingsAreTheSameAndChangesProjectedAfterThemCount() throws Exception {
        AsOfSnapshots snapshots = new AsOfSnapshots(f.api.dataSource(), AsOfSnapshots.Settings.DEFAULT,
                Clock.systemUTC(), new SimpleMeterRegistry(), "0");
        // Two after the fact (from the history the projector wrote) and one now.
        Instant now = Instant.now();
        snapshots.take(f.bucket, at.get("t1"));
        snapshots.take(f.bucket, at.get("t3"));
        snapshots.take(f.bucket, now);
        // The API's own schedule may have taken one more of this bucket meanwhile (its first run is a minute after
        // start): the three taken here are checked by their instants, not by the count.
        List<AsOfSnapshots.Snapshot> taken = snapshots.snapshots(f.bucket);
        assertThat(taken).allMatch(AsOfSnapshots.Snapshot::ready);
        for (Instant instant : List.of(at.get("t1"), at.get("t3"), now)) {
            // PostgreSQL keeps microseconds: the instant comes back rounded to one.
            assertThat(taken).as("a snapshot at %s", instant).anyMatch(snapshot ->
                    Duration.between(snapshot.takenAt(), instant).abs().toNanos() < 1_000);
        }
        for (String name : at.keySet()) {
            assertThat(listing(at.get(name), 100)).as("as of %s", name).isEqualTo(new TreeMap<>(expected.get(name)));
            assertThat(listing(at.get(name), 1)).as("as of %s, one file a page", name)
                    .isEqualTo(new TreeMap<>(expected.get(name)));
        }
        // Written by the projector after the newest snapshot: its triggers mark the keys, so a listing as of a later
        // instant sees them although the snapshot does not.
        String a5 = put("a/5.txt");
        f.feed.deleteMarker("a/1.txt");
        await("the changes after the snapshot projected", () -> versions("a/5.txt").contains(a5)
                && json(f.get(f.filePath("a/1.txt"), f.admin())).get("deleted").asBoolean());
        Thread.sleep(5);
        Instant later = Instant.now();
        Map<String, String> t5 = new TreeMap<>(expected.get("t4"));
        t5.remove("a/1.txt");
        t5.put("a/5.txt", a5);
        assertThat(listing(later, 100)).isEqualTo(t5);
        assertThat(listing(at.get("t4"), 1)).as("as of t4, still").isEqualTo(new TreeMap<>(expected.get("t4")));
    }

    @Test
    void badInstantsAndCursorsOfAnotherInstantAre400() {
        String list = "/v1/buckets/" + f.bucket + "/files?prefix=a/&asOf=";
        assertThat(f.get(list + "yesterday", f.admin()).statusCode()).isEqualTo(400);
        assertThat(f.get(f.filePath("a/1.txt") + "?asOf=2024-13-01T00:00:00Z", f.admin()).statusCode()).isEqualTo(400);
        JsonNode page = json(f.get(list + q(at.get("t4").toString()) + "&limit=1", f.admin()));
        String cursor = page.get("nextCursor").asText();
        HttpResponse<String> other = f.get(list + q(at.get("t3").toString()) + "&limit=1&cursor=" + q(cursor),
                f.admin());
        assertThat(other.statusCode()).as(other.body()).isEqualTo(400);
    }
}
