package dev.filetrail.api.changes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.ApiFixture;
import dev.filetrail.api.keys.ApiKeys;
import dev.filetrail.api.keys.Scope;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import dev.filetrail.events.history.FileVersion;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The change feed's routes on the real parts (Kafka, the projector, PostgreSQL, LISTEN/NOTIFY): pages and cursors,
 * what a cursor refuses (400) and what resets it (409), the long-poll woken by a commit and timing out, the per-key
 * cap, and the event stream with heartbeats and a {@code Last-Event-ID} resume.
 */
@ExtendWith(RealParts.class)
class ChangeFeedTest {
    static final int WAITS_PER_KEY = 3;
    static ApiFixture f;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start(KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3) {
        f = new ApiFixture("changes", kafka, postgres, s3, false, Duration.ofSeconds(10), 1000,
                Map.of("CHANGES_WAITS_PER_KEY", String.valueOf(WAITS_PER_KEY), "CHANGES_HEARTBEAT", "PT1S"));
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static String changesPath(String query) {
        return "/v1/buckets/" + f.bucket + "/changes" + query;
    }

    static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /**
     * A read key of the test's own: the waits a test counts are its key's, so what other tests of the class left
     * waiting (or still have open) cannot satisfy or spoil its count, whatever order the methods run in.
     */
    static ApiKeys.CreatedKey readKey(String name) {
        return f.api.apiKeys().create(name, EnumSet.of(Scope.READ));
    }

    static JsonNode ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return ApiFixture.json(response);
    }

    /** Every change under {@code prefix} after {@code cursor} (null: from the start), read in pages of {@code limit}. */
    static Sync follow(String prefix, String cursor, int limit) {
        List<JsonNode> seen = new ArrayList<>();
        String at = cursor;
        int pages = 0;
        while (true) {
            JsonNode page = ok(f.get(changesPath("?prefix=" + q(prefix) + "&limit=" + limit
                    + (at == null ? "" : "&cursor=" + q(at))), f.keys.get("read")));
            page.get("changes").forEach(seen::add);
            at = page.get("cursor").asText();
            pages++;
            if (!page.get("hasMore").asBoolean()) {
                return new Sync(seen, at, pages);
            }
        }
    }

    record Sync(List<JsonNode> changes, String cursor, int pages) {
        List<String> keysAndKinds() {
            return changes.stream().map(c -> c.get("key").asText() + " " + c.get("change").asText()).toList();
        }
    }

    @Test
    void aFullSyncPagesThroughThePrefixInS3OrderAndAContinuationSeesOnlyWhatIsNew() {
        String p = "full/";
        FileVersion a1 = f.feed.putVersion(p + "a.txt", "1".getBytes(StandardCharsets.UTF_8), "text/plain");
        f.feed.putVersion(p + "b.txt", "22".getBytes(StandardCharsets.UTF_8), "text/plain");
        f.feed.putVersion("fullness/not-under.txt", "x".getBytes(StandardCharsets.UTF_8), "text/plain");
        f.feed.deleteMarker(p + "a.txt");
        f.feed.putVersion(p + "sub/ünï cødé+%.txt", "333".getBytes(StandardCharsets.UTF_8), "text/plain");
        ApiFixture.await("four changes under the prefix", () -> follow(p, null, 100).changes().size() == 4);

        Sync sync = follow(p, null, 1);
        assertThat(sync.pages()).as("a page of one at a time, the last one empty or not").isGreaterThanOrEqualTo(4);
        assertThat(sync.keysAndKinds()).containsExactlyInAnyOrder(p + "a.txt VERSION_CREATED",
                p + "b.txt VERSION_CREATED", p + "a.txt DELETE_MARKER_CREATED", p + "sub/ünï cødé+%.txt VERSION_CREATED");
        List<String> ofA = sync.keysAndKinds().stream().filter(s -> s.startsWith(p + "a.txt")).toList();
        assertThat(ofA).as("one key's changes in S3's order").containsExactly(p + "a.txt VERSION_CREATED",
                p + "a.txt DELETE_MARKER_CREATED");
        JsonNode marker = sync.changes().stream().filter(c -> c.get("change").asText().equals("DELETE_MARKER_CREATED"))
                .findFirst().orElseThrow();
        assertThat(marker.get("file").get("deleted").asBoolean()).isTrue();
        assertThat(marker.get("file").get("latestVersionId").asText()).isNotEqualTo(a1.versionId());
        JsonNode b = sync.changes().stream().filter(c -> c.get("key").asText().equals(p + "b.txt")).findFirst()
                .orElseThrow();
        assertThat(b.get("file").get("size").asLong()).isEqualTo(2);
        assertThat(b.get("version").get("size").asLong()).isEqualTo(2);

        FileVersion c = f.feed.putVersion(p + "c.txt", "4444".getBytes(StandardCharsets.UTF_8), "text/plain");
        ApiFixture.await("the new file after the cursor", () -> follow(p, sync.cursor(), 100).changes().size() == 1);
        Sync next = follow(p, sync.cursor(), 100);
        assertThat(next.keysAndKinds()).containsExactly(p + "c.txt VERSION_CREATED");
        assertThat(next.changes().get(0).get("versionId").asText()).isEqualTo(c.versionId());
        assertThat(follow(p, next.cursor(), 100).changes()).isEmpty();

        String latest = ok(f.get(changesPath("/latest-cursor?prefix=" + q(p)), f.keys.get("read"))).get("cursor").asText();
        assertThat(follow(p, latest, 100).changes()).isEmpty();
    }

    @Test
    void aCursorIsBoundToItsBucketAndPrefixAndTamperingIsRefused() {
        String cursor = ok(f.get(changesPath("/latest-cursor?prefix=bound/"), f.keys.get("read"))).get("cursor").asText();
        assertThat(f.get(changesPath("?cursor=" + q(cursor)), f.keys.get("read")).statusCode())
                .as("the prefix may be left out").isEqualTo(200);
        HttpResponse<String> otherPrefix = f.get(changesPath("?prefix=other/&cursor=" + q(cursor)), f.keys.get("read"));
        assertThat(otherPrefix.statusCode()).isEqualTo(400);
        assertThat(ApiFixture.json(otherPrefix).get("detail").asText()).contains("bound/");
        HttpResponse<String> otherBucket = f.get("/v1/buckets/another-bucket/changes?cursor=" + q(cursor),
                f.keys.get("read"));
        assertThat(otherBucket.statusCode()).isEqualTo(400);
        String[] parts = cursor.split("\\.");
        JsonNode document = Json.read(java.util.Base64.getUrlDecoder().decode(parts[0]), JsonNode.class);
        ((com.fasterxml.jackson.databind.node.ObjectNode) document).put("p", "");
        String forged = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(Json.write(document)) + "."
                + parts[1];
        HttpResponse<String> tampered = f.get(changesPath("?cursor=" + q(forged)), f.keys.get("read"));
        assertThat(tampered.statusCode()).isEqualTo(400);
        assertThat(tampered.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(f.get(changesPath("?cursor=nonsense"), f.keys.get("read")).statusCode()).isEqualTo(400);
    }

    @Test
    void aCursorFromAnotherTopicOrOlderThanTheRetentionOrAheadOfTheReadModelIsAReset() {
        CursorCodec codec = new CursorCodec(List.of(ChangeFeedSettings.LOCAL_CURSOR_KEY));
        String live = ok(f.get(changesPath("/latest-cursor"), f.keys.get("read"))).get("cursor").asText();
        ChangeCursor now = codec.decode(live);
        List<ChangeCursor> unusable = List.of(
                new ChangeCursor(f.bucket, "", "another-topic-id", Instant.now(), now.next()),
                new ChangeCursor(f.bucket, "", now.topicId(), Instant.now(), List.of(0L)),
                new ChangeCursor(f.bucket, "", now.topicId(), Instant.now().minus(Duration.ofDays(91)), now.next()),
                new ChangeCursor(f.bucket, "", now.topicId(), Instant.now(),
                        now.next().stream().map(o -> o + 1_000_000_000L).toList()));
        for (ChangeCursor cursor : unusable) {
            for (String route : List.of("", "/wait")) {
                HttpResponse<String> answer = f.get(changesPath(route + "?cursor=" + q(codec.encode(cursor))),
                        f.keys.get("read"));
                assertThat(answer.statusCode()).as(cursor + " on " + route).isEqualTo(409);
                JsonNode body = ApiFixture.json(answer);
                assertThat(body.get("error").asText()).isEqualTo("reset");
                assertThat(body.get("type").asText()).endsWith("/reset");
            }
        }
        // Rotation: a cursor signed with the previous key still works once the new key signs.
        CursorCodec rotated = new CursorCodec(List.of("a-new-key-of-2026-12-02", ChangeFeedSettings.LOCAL_CURSOR_KEY));
        assertThat(rotated.decode(live)).isEqualTo(now);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> codec.decode(rotated.encode(now)))
                .as("a key the service does not hold verifies nothing").isInstanceOf(dev.filetrail.api.http.ApiProblem.class);
    }

    @Test
    void aCursorMeansTheSameAfterAProjectionRebuild() {
        String p = "rebuilt/";
        for (String name : List.of("one", "two", "three")) {
            f.feed.putVersion(p + name + ".txt", name.getBytes(StandardCharsets.UTF_8), "text/plain");
        }
        ApiFixture.await("three changes", () -> follow(p, null, 100).changes().size() == 3);
        JsonNode first = ok(f.get(changesPath("?limit=1&prefix=" + q(p)), f.keys.get("read")));
        String afterFirst = first.get("cursor").asText();
        List<String> before = follow(p, afterFirst, 100).changes().stream().map(JsonNode::toString).toList();
        assertThat(before).hasSize(2);

        dev.filetrail.api.projection.ProjectionRebuild.Summary rebuilt =
                new dev.filetrail.api.projection.ProjectionRebuild(f.config).run(progress -> { }, false);
        assertThat(rebuilt.switched()).isTrue();

        List<String> after = follow(p, afterFirst, 100).changes().stream().map(JsonNode::toString).toList();
        assertThat(after).as("the same changes after the cursor, read from the rebuilt schema").isEqualTo(before);
    }

    static CompletableFuture<HttpResponse<String>> longPoll(String cursor, int timeout, String key) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create(f.baseUrl() + changesPath("/wait?timeout=" + timeout
                        + "&cursor=" + q(cursor)))).header("Authorization", "Bearer " + key).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aLongPollIsWokenByACommitUnderItsPrefixAndNotByOneElsewhere() throws Exception {
        String p = "wake/";
        ApiKeys.CreatedKey key = readKey("waker");
        String cursor = ok(f.get(changesPath("/latest-cursor?prefix=" + q(p)), key.plaintext())).get("cursor").asText();
        CompletableFuture<HttpResponse<String>> waiting = longPoll(cursor, 480, key.plaintext());
        ApiFixture.await("the long-poll to wait", () -> f.api.changeFeed().waits().waiting(key.id()) == 1);
        f.feed.putVersion("wakefulness/elsewhere.txt", "x".getBytes(StandardCharsets.UTF_8), "text/plain");
        f.feed.putVersion(p + "here.txt", "x".getBytes(StandardCharsets.UTF_8), "text/plain");
        HttpResponse<String> answer = waiting.get(60, TimeUnit.SECONDS);
        assertThat(ok(answer).get("changes").asBoolean()).isTrue();
        assertThat(follow(p, cursor, 100).keysAndKinds()).containsExactly(p + "here.txt VERSION_CREATED");
        assertThat(f.get(changesPath("/wait?timeout=29&cursor=" + q(cursor)), f.keys.get("read")).statusCode())
                .isEqualTo(400);
        assertThat(f.get(changesPath("/wait"), f.keys.get("read")).statusCode()).isEqualTo(400);
    }

    @Test
    void aLongPollWithNothingNewAnswersFalseAtItsTimeoutPastJettysIdleTimeout() throws Exception {
        String cursor = ok(f.get(changesPath("/latest-cursor?prefix=quiet/"), f.keys.get("read"))).get("cursor").asText();
        HttpResponse<String> answer = longPoll(cursor, 35, f.keys.get("read")).get(120, TimeUnit.SECONDS);
        JsonNode body = ok(answer);
        assertThat(body.get("changes").asBoolean()).isFalse();
        assertThat(body.has("backoff")).as("no backoff hint at this load").isFalse();
    }

    @Test
    void aKeyHoldingItsWaitsGetsA429WithRetryAfter() throws Exception {
        ApiKeys.CreatedKey capped = readKey("capped");
        String key = capped.plaintext();
        String p = "capped/";
        String cursor = ok(f.get(changesPath("/latest-cursor?prefix=" + q(p)), key)).get("cursor").asText();
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < WAITS_PER_KEY; i++) {
            held.add(longPoll(cursor, 480, key));
        }
        ApiFixture.await("the key's waits", () -> f.api.changeFeed().waits().waiting(capped.id()) == WAITS_PER_KEY);
        HttpResponse<String> refused = f.get(changesPath("/wait?cursor=" + q(cursor)), key);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(ApiFixture.json(refused).get("type").asText()).endsWith("/too-many-waits");
        CompletableFuture<HttpResponse<String>> otherKey = longPoll(cursor, 480, f.keys.get("admin"));
        f.feed.putVersion(p + "release.txt", "x".getBytes(StandardCharsets.UTF_8), "text/plain");
        assertThat(ok(otherKey.get(60, TimeUnit.SECONDS)).get("changes").asBoolean())
                .as("another key is not capped by this one's waits").isTrue();
        for (CompletableFuture<HttpResponse<String>> wait : held) {
            assertThat(ok(wait.get(60, TimeUnit.SECONDS)).get("changes").asBoolean()).isTrue();
        }
        ApiFixture.await("the slots given back", () -> f.api.changeFeed().waits().waiting(capped.id()) == 0);
        assertThat(longPoll(cursor, 30, key).get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    /** An open event stream, read line by line on a thread of the test. */
    static final class Events implements AutoCloseable {
        final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        final HttpResponse<InputStream> response;
        private final Thread reader;

        Events(String query, Map<String, String> headers) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(f.baseUrl() + changesPath("/stream" + query)))
                    .header("Accept", "text/event-stream");
            headers.forEach(request::header);
            response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (Exception e) {
                    // closed by the test
                }
            }, "sse-reader");
            reader.setDaemon(true);
            reader.start();
        }

        /** The data of the events named {@code changes}, with the id each carried. */
        List<String[]> changes() {
            List<String[]> events = new ArrayList<>();
            String event = null;
            String id = null;
            String data = null;
            for (String line : lines) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).trim();
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("data:")) {
                    data = line.substring(5).trim();
                } else if (line.isEmpty() && event != null) {
                    if (event.equals("changes")) {
                        events.add(new String[] {id, data});
                    }
                    event = null;
                    id = null;
                    data = null;
                }
            }
            return events;
        }

        @Override
        public void close() throws Exception {
            response.body().close();
        }
    }

    @Test
    void theStreamSendsEachCommitWithItsCursorAsIdAndResumesFromLastEventId() throws Exception {
        String p = "stream/";
        ApiKeys.CreatedKey streamer = readKey("streamer");
        String cursor = ok(f.get(changesPath("/latest-cursor?prefix=" + q(p)), streamer.plaintext())).get("cursor")
                .asText();
        String lastId;
        try (Events events = new Events("?cursor=" + q(cursor), Map.of("Authorization", "Bearer "
                + streamer.plaintext()))) {
            ApiFixture.await("the stream to hold its slot", () -> f.api.changeFeed().waits().waiting(streamer.id()) == 1);
            assertThat(events.response.statusCode()).isEqualTo(200);
            assertThat(events.response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            f.feed.putVersion(p + "one.txt", "1".getBytes(StandardCharsets.UTF_8), "text/plain");
            ApiFixture.await("the first event", () -> events.changes().size() == 1);
            ApiFixture.await("a heartbeat", () -> events.lines.stream().anyMatch(l -> l.startsWith(":")));
            String[] first = events.changes().get(0);
            assertThat(first[1]).contains(p + "one.txt");
            lastId = first[0];
            assertThat(Json.read(first[1], JsonNode.class).get("cursor").asText()).isEqualTo(lastId);
        }
        ApiFixture.await("the closed stream's slot freed", () -> f.api.changeFeed().waits().waiting(streamer.id()) == 0);
        f.feed.putVersion(p + "two.txt", "2".getBytes(StandardCharsets.UTF_8), "text/plain");
        try (Events resumed = new Events("?cursor=" + q(cursor), Map.of("Authorization", "Bearer "
                + f.keys.get("read"), "Last-Event-ID", lastId))) {
            ApiFixture.await("the missed change", () -> resumed.changes().size() == 1);
            assertThat(resumed.changes().get(0)[1]).contains(p + "two.txt").doesNotContain(p + "one.txt");
        }
    }

    @Test
    void theStreamTakesAHeaderOrATicketAndRefusesEverythingElse() throws Exception {
        for (String key : List.of("none", "bad", "share")) {
            Map<String, String> headers = switch (key) {
                case "none" -> Map.of();
                case "bad" -> Map.of("Authorization", "Bearer ftk_nosuchkey_" + "x".repeat(43));
                default -> Map.of("Authorization", "Bearer " + f.keys.get("share"));
            };
            try (Events refused = new Events("", headers)) {
                assertThat(refused.response.statusCode()).as(key).isEqualTo(key.equals("share") ? 403 : 401);
            }
        }
        JsonNode ticket = ok(f.get(changesPath("/stream-ticket?prefix=ticket/"), f.keys.get("read")));
        try (Events withTicket = new Events("?prefix=ticket/&ticket=" + q(ticket.get("ticket").asText()), Map.of())) {
            assertThat(withTicket.response.statusCode()).isEqualTo(200);
        }
        try (Events otherPrefix = new Events("?prefix=elsewhere/&ticket=" + q(ticket.get("ticket").asText()),
                Map.of())) {
            assertThat(otherPrefix.response.statusCode()).isEqualTo(401);
        }
        try (Events forged = new Events("?ticket=x" + q(ticket.get("ticket").asText()), Map.of())) {
            assertThat(forged.response.statusCode()).isEqualTo(401);
        }
        HttpResponse<String> notAccepting = f.get(changesPath("/stream"), f.keys.get("read"));
        assertThat(notAccepting.statusCode()).isEqualTo(406);
    }
}
