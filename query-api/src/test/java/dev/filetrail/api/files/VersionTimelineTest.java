package dev.filetrail.api.files;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.ApiFixture;
import dev.filetrail.api.http.ObjectPath;
import dev.filetrail.api.keys.ApiKeys;
import dev.filetrail.api.keys.Scope;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.history.ChangeType;
import dev.filetrail.events.history.FileVersion;
import dev.filetrail.events.history.FileVersionChange;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tag values in history and a version's own timeline, through the real projector and PostgreSQL: the records are
 * what metadata-streams writes (tags read by the metadata Lambda), the answers come over HTTP.
 */
@ExtendWith(RealParts.class)
class VersionTimelineTest {
    static ApiFixture f;
    static final Instant READ_AT = Instant.parse("2026-12-01T10:00:00Z");

    @BeforeAll
    static void start(KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3) {
        f = new ApiFixture("timeline", kafka, postgres, s3, false, Duration.ofSeconds(10), 1000);
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static String events(String key, String versionId) {
        return f.filePath(key) + "/versions/" + ObjectPath.encodeSegment(versionId) + "/events";
    }

    static List<String> types(JsonNode page) {
        List<String> types = new ArrayList<>();
        page.get("events").forEach(e -> types.add(e.get("type").asText()));
        return types;
    }

    @Test
    void historyShowsEachVersionsTagsAndTheTimelineTellsItsChangesInOrder() {
        String key = "timeline/q3 report+final.txt";
        FileVersion v1 = f.feed.putVersion(key, "1".getBytes(StandardCharsets.UTF_8), "text/plain");
        f.feed.change(key, v1.versionId(), ChangeType.STORAGE_CLASS_CHANGED, v -> v.withStorageClass("GLACIER_IR"));
        // S3's tagging event first (its values unknown), then the tags the metadata Lambda read for it.
        f.feed.change(key, v1.versionId(), ChangeType.TAGS_CHANGED, v -> v.withTagsChangedAt(READ_AT.minusSeconds(1)));
        f.feed.change(key, v1.versionId(), ChangeType.TAGS_CHANGED,
                v -> v.withTags(Map.of("team", "finance", "stage", "draft one"), READ_AT));
        f.feed.change(key, v1.versionId(), ChangeType.DERIVATIVES_ATTACHED, v -> v.withDerivatives(
                new FileVersion.Derivatives("text/plain", null, null, "abc", null, null, null, "vOlder")));
        f.feed.change(key, v1.versionId(), ChangeType.TAGS_CHANGED, v -> v.withTags(Map.of(), READ_AT.plusSeconds(5)));
        FileVersion v2 = f.feed.putVersion(key, "2".getBytes(StandardCharsets.UTF_8), "text/plain");
        f.feed.removeVersion(key, v1.versionId(), FileVersionChange.DELETED);
        f.feed.change(key, v2.versionId(), ChangeType.TAGS_CHANGED, v -> v.withTags(Map.of("k", "v"), READ_AT));

        ApiFixture.await("timeline projected", () -> {
            HttpResponse<String> r = f.get(events(key, v1.versionId()), f.keys.get("read"));
            return r.statusCode() == 200 && ApiFixture.json(r).get("events").size() == 7
                    && f.get(f.filePath(key), f.admin()).body().contains("\"k\":\"v\"");
        });

        JsonNode page = ApiFixture.json(f.get(events(key, v1.versionId()), f.keys.get("read")));
        assertThat(page.get("versionId").asText()).isEqualTo(v1.versionId());
        assertThat(page.get("key").asText()).isEqualTo(key);
        assertThat(types(page)).containsExactly("created", "storage-class-changed", "tags-changed", "tags-changed",
                "derivatives-attached", "tags-changed", "removed");
        JsonNode e = page.get("events");
        assertThat(e.get(0).get("size").asLong()).isEqualTo(1);
        assertThat(e.get(1).get("storageClass").asText()).isEqualTo("GLACIER_IR");
        assertThat(e.get(2).has("tags")).as("S3's tagging event: values not read yet").isFalse();
        assertThat(e.get(3).get("tags").get("stage").asText()).isEqualTo("draft one");
        assertThat(e.get(3).get("tagsFetchedAt").asText()).isEqualTo(READ_AT.toString());
        assertThat(e.get(4).get("restoredFrom").asText()).isEqualTo("vOlder");
        assertThat(e.get(5).get("tags").isObject()).isTrue();
        assertThat(e.get(5).get("tags")).as("tags removed: {}").isEmpty();
        assertThat(e.get(6).get("removedReason").asText()).isEqualTo("deleted");
        assertThat(page.get("nextCursor").isNull()).isTrue();

        // History: each version's own tags; the file: its current version's.
        JsonNode history = ApiFixture.json(f.get(f.filePath(key) + "/versions?include=removed", f.keys.get("read")));
        assertThat(history.get("versions").get(0).get("tags")).isEqualTo(ApiFixture.json(
                f.get(f.filePath(key), f.keys.get("read"))).get("tags"));
        assertThat(history.get("versions").get(0).get("tags").get("k").asText()).isEqualTo("v");
        assertThat(history.get("versions").get(1).get("tags")).isEmpty();
        assertThat(history.get("versions").get(1).get("tagsFetchedAt").asText())
                .isEqualTo(READ_AT.plusSeconds(5).toString());

        // Paged like every list: a cursor for the rest, good only for this timeline.
        JsonNode first = ApiFixture.json(f.get(events(key, v1.versionId()) + "?limit=3", f.keys.get("read")));
        assertThat(types(first)).containsExactly("created", "storage-class-changed", "tags-changed");
        String cursor = first.get("nextCursor").asText();
        JsonNode rest = ApiFixture.json(f.get(events(key, v1.versionId()) + "?limit=10&cursor=" + cursor,
                f.keys.get("read")));
        assertThat(types(rest)).containsExactly("tags-changed", "derivatives-attached", "tags-changed", "removed");
        HttpResponse<String> foreign = f.get(events(key, v2.versionId()) + "?cursor=" + cursor, f.keys.get("read"));
        assertThat(foreign.statusCode()).as(foreign.body()).isEqualTo(400);
        assertThat(foreign.headers().firstValue("content-type")).get().asString().contains("json");
    }

    @Test
    void unknownVersionsAre404BadRequestsAre400AndScopedKeysAre403Elsewhere() {
        String key = "timeline/scoped/a.txt";
        FileVersion v = f.feed.putVersion(key, "a".getBytes(StandardCharsets.UTF_8), "text/plain");
        String other = "timeline-other/b.txt";
        FileVersion w = f.feed.putVersion(other, "b".getBytes(StandardCharsets.UTF_8), "text/plain");
        ApiFixture.await("projected", () -> f.get(events(key, v.versionId()), f.admin()).statusCode() == 200
                && f.get(events(other, w.versionId()), f.admin()).statusCode() == 200);

        HttpResponse<String> unknown = f.get(events(key, "no-such-version"), f.keys.get("read"));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(ApiFixture.json(unknown).get("detail").asText()).contains("no-such-version");
        assertThat(f.get(events("timeline/never.txt", v.versionId()), f.keys.get("read")).statusCode()).isEqualTo(404);
        assertThat(f.get(events(key, v.versionId()) + "?cursor=garbage", f.keys.get("read")).statusCode())
                .isEqualTo(400);
        assertThat(f.get(events(key, v.versionId()) + "?limit=0", f.keys.get("read")).statusCode()).isEqualTo(400);
        assertThat(f.get(events(key, v.versionId()) + "?limit=100000", f.keys.get("read")).statusCode())
                .isEqualTo(400);
        assertThat(f.get(events(key, v.versionId()), null).statusCode()).isEqualTo(401);

        ApiKeys.Limits limits = new ApiKeys.Limits(Set.of(f.bucket), "timeline/", null);
        String limited = f.api.apiKeys().create("timeline-only", EnumSet.of(Scope.READ), limits, false).plaintext();
        assertThat(f.get(events(key, v.versionId()), limited).statusCode()).isEqualTo(200);
        HttpResponse<String> outside = f.get(events(other, w.versionId()), limited);
        assertThat(outside.statusCode()).as(outside.body()).isEqualTo(403);
        assertThat(f.get("/v1/buckets/another-bucket/files/timeline%2Fscoped%2Fa.txt/versions/"
                + ObjectPath.encodeSegment(v.versionId()) + "/events", limited).statusCode()).isEqualTo(403);
    }
}
