package dev.filetrail.api.shards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.ApiFixture;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import dev.filetrail.events.history.FileVersion;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The query API over a read model in three shards (the test topics' partition count): every route answers from the
 * shard that holds its file or link, listings and the change feed from every shard, and the answer cache and
 * long-polls hear the notices of every shard. The one-shard API is what every other API test runs.
 */
@ExtendWith(RealParts.class)
class ShardedApiTest {
    static final int SHARDS = KafkaCluster.TEST_PARTITIONS;
    static ApiFixture f;
    static ReadModelShards shards;

    @BeforeAll
    static void start(KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3) {
        Map<String, String> env = new HashMap<>(ApiFixture.shardedReadModel(postgres, "sharded", SHARDS));
        f = new ApiFixture("sharded", kafka, postgres, s3, true, Duration.ofSeconds(10), 1000, env);
        shards = f.api.shards();
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @Test
    void theApiRunsOneProjectorAndOneNoticeListenerPerShard() {
        assertThat(shards.count()).isEqualTo(SHARDS);
        assertThat(f.api.projectors()).hasSize(SHARDS);
        for (int i = 0; i < SHARDS; i++) {
            int shard = i;
            ApiFixture.await("shard " + i + " listened to", () -> f.api.notices().backendPid(shard) != 0);
        }
    }

    @Test
    void historyFileAndUrlsOfFilesOnEveryShardComeFromTheirShard() {
        String p = "single/";
        Map<String, FileVersion[]> files = new LinkedHashMap<>();
        for (String key : keysOnEveryShard(p, 2)) {
            FileVersion v1 = f.feed.putVersion(key, ("one " + key).getBytes(StandardCharsets.UTF_8), "text/plain");
            FileVersion v2 = f.feed.putVersion(key, ("two " + key).getBytes(StandardCharsets.UTF_8), "text/plain");
            files.put(key, new FileVersion[] {v1, v2});
        }
        for (String key : files.keySet()) {
            awaitCurrent(key, files.get(key)[1].versionId());
        }
        Set<Integer> holding = new HashSet<>();
        for (Map.Entry<String, FileVersion[]> e : files.entrySet()) {
            String key = e.getKey();
            int home = shards.shardOf(f.bucket, key);
            holding.add(home);
            for (int i = 0; i < SHARDS; i++) {
                assertThat(count(shards.primary(i), "SELECT count(*) FROM file_versions WHERE bucket = ? AND key = ?",
                        f.bucket, key)).as("%s in shard %d (home %d)", key, i, home).isEqualTo(i == home ? 2 : 0);
            }
            JsonNode file = ok(f.get(f.filePath(key), f.keys.get("read")));
            assertThat(file.get("currentVersionId").asText()).isEqualTo(e.getValue()[1].versionId());
            assertThat(file.get("versionCount").asLong()).isEqualTo(2);
            JsonNode history = ok(f.get(f.filePath(key) + "/versions?limit=1", f.keys.get("read")));
            assertThat(history.get("versions").get(0).get("versionId").asText()).isEqualTo(e.getValue()[1].versionId());
            JsonNode older = ok(f.get(f.filePath(key) + "/versions?limit=1&cursor="
                    + q(history.get("nextCursor").asText()), f.keys.get("read")));
            assertThat(older.get("versions").get(0).get("versionId").asText()).isEqualTo(e.getValue()[0].versionId());
            JsonNode url = ok(f.get(f.filePath(key) + "/versions/" + e.getValue()[0].versionId() + "/url",
                    f.keys.get("read")));
            assertThat(url.get("url").asText()).startsWith(f.edge.url());
            assertThat(fetch(url.get("url").asText()).body()).isEqualTo("one " + key);
            JsonNode then = ok(f.get(f.filePath(key) + "?asOf=" + q(Instant.now().toString()), f.keys.get("read")));
            assertThat(then.get("version").get("versionId").asText()).isEqualTo(e.getValue()[1].versionId());
        }
        assertThat(holding).as("files on every shard").hasSize(SHARDS);

        // The answer cache forgets a file when its own shard says it changed, whichever shard that is.
        for (String key : files.keySet()) {
            ok(f.get(f.filePath(key), f.keys.get("read")));
            ok(f.get(f.filePath(key), f.keys.get("read")));
            FileVersion v3 = f.feed.putVersion(key, ("three " + key).getBytes(StandardCharsets.UTF_8), "text/plain");
            ApiFixture.await("the cached answer of " + key + " (shard " + shards.shardOf(f.bucket, key)
                    + ") replaced", () -> v3.versionId().equals(ApiFixture.json(f.get(f.filePath(key),
                    f.keys.get("read"))).get("currentVersionId").asText()));
        }
    }

    @Test
    void theListingPagesThroughEveryShardInKeyOrderWithSmallPagesWhileFilesAreAdded() throws Exception {
        String p = "list/";
        List<String> early = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            String key = p + "file-" + i + (i % 5 == 0 ? "-\u00e9" : "") + (i % 7 == 0 ? "-\uD83D\uDE00" : "");
            early.add(key);
            f.feed.recordVersion(key, i + 1);
        }
        ApiFixture.await("the early files listed", () -> listAll(p, 100).size() == early.size());
        Set<Integer> holding = new HashSet<>();
        early.forEach(k -> holding.add(shards.shardOf(f.bucket, k)));
        assertThat(holding).hasSize(SHARDS);

        List<String> late = Collections.synchronizedList(new ArrayList<>());
        Thread writer = new Thread(() -> {
            for (int i = 0; i < 24; i++) {
                String key = p + "file-" + i + "-late";
                f.feed.recordVersion(key, i + 1);
                late.add(key);
            }
        });
        writer.start();
        List<List<String>> during = new ArrayList<>();
        while (writer.isAlive()) {
            during.add(listAll(p, 2));
            during.add(listAll(p, 3));
        }
        writer.join();
        during.add(listAll(p, 3));
        for (List<String> pass : during) {
            assertThat(pass).as("no key twice, key order across shards").doesNotHaveDuplicates()
                    .isSortedAccordingTo(ShardedFiles.KEY_ORDER).containsAll(early);
        }
        List<String> all = new ArrayList<>(early);
        all.addAll(late);
        all.sort(ShardedFiles.KEY_ORDER);
        ApiFixture.await("the late files listed", () -> listAll(p, 100).size() == all.size());
        for (int size : new int[] {1, 2, 3, 5}) {
            assertThat(listAll(p, size)).as("page size %d", size).containsExactlyElementsOf(all);
        }
        // The as-of listing merges the shards the same way.
        Instant now = Instant.now();
        List<String> asOf = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = ok(f.get("/v1/buckets/" + f.bucket + "/files?prefix=" + q(p) + "&limit=2&asOf="
                    + q(now.toString()) + (cursor == null ? "" : "&cursor=" + q(cursor)), f.keys.get("read")));
            page.get("files").forEach(file -> asOf.add(file.get("key").asText()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
        } while (cursor != null);
        assertThat(asOf).containsExactlyElementsOf(all);

        // The audit trail merges every shard's events in time order, paged by 7 with a cursor valid across shards.
        ApiFixture.await("every listed file's event audited", () -> auditSubjects(100).containsAll(all.stream()
                .map(k -> dev.filetrail.events.Topics.objectKey(f.bucket, k)).toList()));
        List<String> once = audit(1000).stream().map(e -> e.get("id").asText()).toList();
        List<JsonNode> events = audit(7);
        List<String> ids = events.stream().map(e -> e.get("id").asText()).toList();
        assertThat(ids).doesNotHaveDuplicates().containsAll(once);
        assertThat(events.stream().map(e -> Instant.parse(e.get("time").asText())).toList()).isSorted();
    }

    /** The bucket's audit events, oldest first, in pages of {@code size}. */
    static List<JsonNode> audit(int size) {
        List<JsonNode> events = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = ok(f.get("/v1/audit?bucket=" + f.bucket + "&limit=" + size
                    + (cursor == null ? "" : "&cursor=" + q(cursor)), f.admin()));
            page.get("events").forEach(events::add);
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
        } while (cursor != null);
        return events;
    }

    static Set<String> auditSubjects(int size) {
        Set<String> subjects = new HashSet<>();
        audit(size).forEach(e -> subjects.add(e.get("subject").asText()));
        return subjects;
    }

    @Test
    void shareLinksAreFoundByIdByTokenAndByFileWhicheverShardHoldsThem() {
        String key = "share/report.txt";
        FileVersion v = f.feed.putVersion(key, "shared bytes".getBytes(StandardCharsets.UTF_8), "text/plain");
        awaitVersion(key, v.versionId());
        ApiFixture.await("the file's head projected", () -> f.get(f.filePath(key), f.keys.get("read")).statusCode() == 200);
        // A link lives in the shard of its id's partition, not its file's: create links until they are on two shards
        // at least, one of them not shard 0 (ids are random: a third of them land on each shard).
        Map<String, String> tokens = new LinkedHashMap<>();
        Set<Integer> linkShards = new HashSet<>();
        while (tokens.size() < 4 || linkShards.size() < 2 || !linkShards.stream().anyMatch(s -> s != 0)) {
            assertThat(tokens.size()).as("links on two shards within 40").isLessThan(40);
            HttpResponse<String> created = f.post("/v1/shares", f.keys.get("share"), "{\"bucket\":\"" + f.bucket
                    + "\",\"key\":" + Json.writeString(key) + "}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode body = ApiFixture.json(created);
            String id = body.get("id").asText();
            assertThat(body.get("link").get("status").asText()).isEqualTo("ACTIVE");
            String url = body.get("url").asText();
            tokens.put(id, url.substring(url.lastIndexOf('/') + 1));
            linkShards.add(shards.shardOfShareLink(id));
        }
        for (Map.Entry<String, String> link : tokens.entrySet()) {
            int home = shards.shardOfShareLink(link.getKey());
            for (int i = 0; i < SHARDS; i++) {
                assertThat(count(shards.primary(i), "SELECT count(*) FROM share_links WHERE link_id = ? AND bucket = ?",
                        link.getKey(), f.bucket)).as("%s in shard %d (home %d)", link.getKey(), i, home)
                        .isEqualTo(i == home ? 1 : 0);
            }
            JsonNode byId = ok(f.get("/v1/shares/" + link.getKey(), f.keys.get("share")));
            assertThat(byId.get("key").asText()).isEqualTo(key);
            HttpResponse<String> page = f.get("/s/" + link.getValue(), null);
            assertThat(page.statusCode()).as("share page of a link on shard %d", home).isEqualTo(200);
            assertThat(page.body()).contains("report.txt");
        }
        // The file's links from every shard, merged in creation order, two at a time.
        List<String> listed = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = ok(f.get(f.filePath(key) + "/shares?limit=2" + (cursor == null ? "" : "&cursor="
                    + q(cursor)), f.keys.get("share")));
            page.get("links").forEach(l -> listed.add(l.get("id").asText()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
        } while (cursor != null);
        assertThat(listed).containsExactlyElementsOf(tokens.keySet());

        // Revoking a link on a shard other than 0 waits for its own shard's projection.
        String elsewhere = tokens.keySet().stream().filter(id -> shards.shardOfShareLink(id) != 0).findFirst()
                .orElseThrow();
        HttpResponse<String> revoked = f.delete("/v1/shares/" + elsewhere, f.keys.get("share"));
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
        assertThat(ApiFixture.json(revoked).get("status").asText()).isEqualTo("REVOKED");
        assertThat(f.get("/s/" + tokens.get(elsewhere), null).statusCode()).isEqualTo(404);
    }

    @Test
    void theChangeFeedSeesEveryChangeOfEveryShardOnceAndALongPollWakesForAnyShard() throws Exception {
        String p = "feed/";
        List<String> keys = keysOnEveryShard(p, 3);
        for (String key : keys) {
            f.feed.putVersion(key, "1".getBytes(StandardCharsets.UTF_8), "text/plain");
        }
        f.feed.deleteMarker(keys.get(0));
        int expected = keys.size() + 1;
        ApiFixture.await("every change under the prefix", () -> follow(p, null, 100).changes().size() == expected);
        Sync sync = follow(p, null, 2);
        assertThat(sync.changes()).hasSize(expected);
        assertThat(sync.changes().stream().map(c -> c.get("key").asText() + " " + c.get("change").asText()).toList())
                .doesNotHaveDuplicates();
        assertThat(sync.changes().stream().map(c -> c.get("key").asText()).distinct().toList())
                .containsExactlyInAnyOrderElementsOf(keys);
        assertThat(follow(p, sync.cursor(), 2).changes()).isEmpty();

        // A long-poll is woken by a commit on a shard other than 0, and the continuation sees that change once.
        String key = keysOnShard(p + "late-", shards.count() - 1, 1).get(0);
        String cursor = ok(f.get(changesPath("/latest-cursor?prefix=" + q(p)), f.keys.get("read"))).get("cursor")
                .asText();
        CompletableFuture<HttpResponse<String>> waiting = HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(
                        URI.create(f.baseUrl() + changesPath("/wait?timeout=120&cursor=" + q(cursor))))
                        .header("Authorization", "Bearer " + f.keys.get("read")).build(),
                HttpResponse.BodyHandlers.ofString());
        f.feed.putVersion(key, "late".getBytes(StandardCharsets.UTF_8), "text/plain");
        HttpResponse<String> answer = waiting.get(90, TimeUnit.SECONDS);
        assertThat(ok(answer).get("changes").asBoolean()).isTrue();
        Sync next = follow(p, cursor, 2);
        assertThat(next.changes()).hasSize(1);
        assertThat(next.changes().get(0).get("key").asText()).isEqualTo(key);
    }

    @Test
    void restoreUndeleteAndARewindPlanWorkOnFilesOfEveryShard() throws Exception {
        String p = "actions/";
        String key = keysOnShard(p, shards.count() - 1, 1).get(0);
        FileVersion first = f.feed.putVersion(key, "first".getBytes(StandardCharsets.UTF_8), "text/plain");
        FileVersion second = f.feed.putVersion(key, "second".getBytes(StandardCharsets.UTF_8), "text/plain");
        awaitVersion(key, second.versionId());
        HttpResponse<String> restored = f.post(f.filePath(key) + "/versions/" + first.versionId() + "/restore",
                f.keys.get("write"), "{}");
        assertThat(restored.statusCode()).as(restored.body()).isEqualTo(201);
        assertThat(ApiFixture.json(restored).get("restoredFrom").asText()).isEqualTo(first.versionId());
        // The restore's copy, seen by the read model as S3's notification would tell it, on the file's shard.
        for (FileVersion v : f.feed.observe(key)) {
            awaitVersion(key, v.versionId());
        }
        assertThat(count(shards.primary(shards.count() - 1), "SELECT count(*) FROM file_versions WHERE bucket = ? "
                + "AND key = ?", f.bucket, key)).isEqualTo(3);
        FileVersion marker = f.feed.deleteMarker(key);
        awaitVersion(key, marker.versionId());
        // Undelete reads the file's head, which the files topic brings, not the version row awaited above.
        ApiFixture.await("the head of " + key + " deleted", () -> ApiFixture.json(f.get(f.filePath(key),
                f.keys.get("read"))).path("deleted").asBoolean());
        HttpResponse<String> undeleted = f.post(f.filePath(key) + "/undelete", f.keys.get("write"), "{}");
        assertThat(undeleted.statusCode()).as(undeleted.body()).isBetween(200, 201);

        // A rewind's plan reads every shard: files of each, changed after the instant, are planned.
        String r = "rewind/";
        List<String> planned = keysOnEveryShard(r, 2);
        for (String k : planned) {
            awaitCurrent(k, f.feed.putVersion(k, "then".getBytes(StandardCharsets.UTF_8), "text/plain").versionId());
        }
        Thread.sleep(20);
        Instant t = Instant.now();
        Thread.sleep(20);
        for (String k : planned) {
            awaitCurrent(k, f.feed.putVersion(k, "now".getBytes(StandardCharsets.UTF_8), "text/plain").versionId());
        }
        HttpResponse<String> dry = f.post("/v1/buckets/" + f.bucket + "/rewinds", f.keys.get("write"),
                "{\"prefix\":\"" + r + "\",\"to\":\"" + t + "\",\"dryRun\":true}");
        assertThat(dry.statusCode()).as(dry.body()).isEqualTo(200);
        JsonNode plan = ApiFixture.json(dry);
        assertThat(plan.get("counts").get("restore").asLong()).isEqualTo(planned.size());
        List<String> actions = new ArrayList<>();
        plan.get("actions").forEach(a -> actions.add(a.get("key").asText()));
        assertThat(actions).containsExactlyInAnyOrderElementsOf(planned);
    }

    /** {@code perShard} keys under {@code prefix} on each shard. */
    static List<String> keysOnEveryShard(String prefix, int perShard) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < SHARDS; i++) {
            keys.addAll(keysOnShard(prefix, i, perShard));
        }
        return keys;
    }

    /** {@code count} keys under {@code prefix} that shard {@code shard} holds. */
    static List<String> keysOnShard(String prefix, int shard, int count) {
        List<String> keys = new ArrayList<>();
        for (int n = 0; keys.size() < count; n++) {
            String key = prefix + "s" + shard + "-" + n + ".txt";
            if (shards.shardOf(f.bucket, key) == shard) {
                keys.add(key);
            }
        }
        return keys;
    }

    static void awaitVersion(String key, String versionId) {
        ApiFixture.await("version " + versionId + " of " + key + " projected", () -> f.get(f.filePath(key)
                + "/versions?include=removed&limit=100", f.keys.get("read")).body().contains("\"" + versionId + "\""));
    }

    /**
     * Waits until the file's head names {@code versionId} current: the head comes from the files topic, projected
     * apart from the version rows {@link #awaitVersion} sees.
     */
    static void awaitCurrent(String key, String versionId) {
        awaitVersion(key, versionId);
        ApiFixture.await("the head of " + key + " at " + versionId, () -> {
            HttpResponse<String> file = f.get(f.filePath(key), f.keys.get("read"));
            return file.statusCode() == 200 && versionId.equals(ApiFixture.json(file).path("currentVersionId").asText());
        });
    }

    /** Every key under {@code prefix}, paged with {@code size} per page. */
    static List<String> listAll(String prefix, int size) {
        List<String> keys = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = ok(f.get("/v1/buckets/" + f.bucket + "/files?prefix=" + q(prefix) + "&limit=" + size
                    + (cursor == null ? "" : "&cursor=" + q(cursor)), f.keys.get("read")));
            page.get("files").forEach(file -> keys.add(file.get("key").asText()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
        } while (cursor != null);
        return keys;
    }

    static String changesPath(String query) {
        return "/v1/buckets/" + f.bucket + "/changes" + query;
    }

    record Sync(List<JsonNode> changes, String cursor) {
    }

    static Sync follow(String prefix, String cursor, int limit) {
        List<JsonNode> seen = new ArrayList<>();
        String at = cursor;
        while (true) {
            JsonNode page = ok(f.get(changesPath("?prefix=" + q(prefix) + "&limit=" + limit
                    + (at == null ? "" : "&cursor=" + q(at))), f.keys.get("read")));
            page.get("changes").forEach(seen::add);
            at = page.get("cursor").asText();
            if (!page.get("hasMore").asBoolean()) {
                return new Sync(seen, at);
            }
        }
    }

    static HttpResponse<String> fetch(String url) {
        try {
            return f.http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return ApiFixture.json(response);
    }

    static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static long count(DataSource dataSource, String sql, String... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setString(i + 1, params[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
