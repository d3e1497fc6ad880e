package dev.filetrail.api.changes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.ApiFixture;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.history.FileVersion;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Item 4 of issue 22, against the real parts (Kafka, the projector, PostgreSQL, NOTIFY): writers upload, delete,
 * restore and remove versions concurrently while a client follows the feed with long-polls, crashing now and then
 * and restarting from a cursor and state it had saved earlier. At the end the client's files are exactly the API's
 * listing of the prefix (and the writers' own model of it), and each key's changes came in S3's order.
 */
@ExtendWith(RealParts.class)
class ChangeFeedModelTest {
    private static final String PREFIX = "model/";
    private static final List<String> KEYS = List.of(PREFIX + "a.txt", PREFIX + "b.txt", PREFIX + "dir/c.txt",
            PREFIX + "dir/ünï cødé.txt", PREFIX + "e+%2F.txt", PREFIX + "f", "modeling/outside.txt", "elsewhere.txt");
    private static final int WRITERS = 3;
    private static final int OPERATIONS_PER_WRITER = 40;
    private static ApiFixture f;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start(KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3) {
        f = new ApiFixture("changes-model", kafka, postgres, s3, false, Duration.ofSeconds(10), 1000);
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    /** What the writers did, per key: the versions and markers left, oldest first. */
    private final Map<String, List<FileVersion>> model = new HashMap<>();

    /** One random operation of a writer, applied to the feed and the model under one lock. */
    private void operate(Random random) {
        String key = KEYS.get(random.nextInt(KEYS.size()));
        synchronized (model) {
            List<FileVersion> history = model.computeIfAbsent(key, k -> new ArrayList<>());
            FileVersion latest = history.isEmpty() ? null : history.get(history.size() - 1);
            int choice = random.nextInt(10);
            if (history.isEmpty() || choice < 4) {
                byte[] bytes = ("v" + random.nextInt(1_000_000)).getBytes(StandardCharsets.UTF_8);
                history.add(f.feed.putVersion(key, bytes, "text/plain"));
            } else if (choice < 6 && !latest.deleteMarker()) {
                history.add(f.feed.deleteMarker(key));
            } else if (choice < 8 && latest.deleteMarker()) {
                // Restore: removing the delete marker brings the version under it back.
                f.feed.removeVersion(key, latest.versionId());
                history.remove(history.size() - 1);
            } else {
                FileVersion removed = history.get(random.nextInt(history.size()));
                f.feed.removeVersion(key, removed.versionId());
                history.remove(removed);
            }
        }
    }

    /** The listing the writers' model implies: key → current version id, for files whose newest entry is a version. */
    private Map<String, String> modelListing() {
        Map<String, String> listing = new TreeMap<>();
        synchronized (model) {
            model.forEach((key, history) -> {
                if (key.startsWith(PREFIX) && !history.isEmpty() && !history.get(history.size() - 1).deleteMarker()) {
                    listing.put(key, history.get(history.size() - 1).versionId());
                }
            });
        }
        return listing;
    }

    /** What a sync client keeps: its cursor and its files (key → current version id); copied at checkpoints. */
    private record ClientState(String cursor, Map<String, String> files, Map<String, List<String>> sequencers) {
        ClientState copy() {
            Map<String, List<String>> seq = new HashMap<>();
            sequencers.forEach((k, v) -> seq.put(k, new ArrayList<>(v)));
            return new ClientState(cursor, new TreeMap<>(files), seq);
        }

        ClientState at(String newCursor) {
            return new ClientState(newCursor, files, sequencers);
        }
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(f.baseUrl() + path))
                .header("Authorization", "Bearer " + f.keys.get("read")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(200);
        return ApiFixture.json(response);
    }

    private static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Applies pages until the feed says no more; returns the state after them. */
    private ClientState catchUp(ClientState state, int limit) throws Exception {
        ClientState s = state;
        while (true) {
            JsonNode page = get("/v1/buckets/" + f.bucket + "/changes?prefix=" + q(PREFIX) + "&limit=" + limit
                    + (s.cursor() == null ? "" : "&cursor=" + q(s.cursor())));
            for (JsonNode change : page.get("changes")) {
                String key = change.get("key").asText();
                assertThat(key).startsWith(PREFIX);
                JsonNode file = change.get("file");
                if (file.get("exists").asBoolean() && !file.get("deleted").asBoolean()) {
                    s.files().put(key, file.get("currentVersionId").asText());
                } else {
                    s.files().remove(key);
                }
                String kind = change.get("change").asText();
                if (kind.equals("VERSION_CREATED") || kind.equals("DELETE_MARKER_CREATED")) {
                    s.sequencers().computeIfAbsent(key, k -> new ArrayList<>())
                            .add(change.get("version").get("sequencer").asText());
                }
            }
            s = s.at(page.get("cursor").asText());
            if (!page.get("hasMore").asBoolean()) {
                return s;
            }
        }
    }

    private Map<String, String> apiListing() throws Exception {
        Map<String, String> listing = new TreeMap<>();
        JsonNode page = get("/v1/buckets/" + f.bucket + "/files?prefix=" + q(PREFIX) + "&limit=1000");
        for (JsonNode file : page.get("files")) {
            listing.put(file.get("key").asText(), file.get("currentVersionId").asText());
        }
        return listing;
    }

    @Test
    void aClientFollowingTheFeedThroughCrashesEndsWithTheListing() throws Exception {
        long seed = System.nanoTime();
        System.out.println("ChangeFeedModelTest seed=" + seed);
        Random random = new Random(seed);
        // The projector first reads what earlier tests left on the shared topics; the writers start once it is level.
        ApiFixture.await("the projector caught up", () -> f.api.projector().lag() == 0);
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            Random own = new Random(random.nextLong());
            done.add(writers.submit(() -> {
                for (int i = 0; i < OPERATIONS_PER_WRITER; i++) {
                    operate(own);
                }
                return null;
            }));
        }
        Thread stop = new Thread(() -> {
            for (Future<?> d : done) {
                try {
                    d.get();
                } catch (Exception e) {
                    // reported below
                }
            }
            writing.set(false);
        });
        stop.start();

        ClientState state = new ClientState(null, new TreeMap<>(), new HashMap<>());
        List<ClientState> checkpoints = new ArrayList<>();
        checkpoints.add(state.copy());
        int crashes = 0;
        int polls = 0;
        int rounds = 0;
        // While the writers write, and for at least 30 rounds of reading, crashing and restarting in all.
        while (writing.get() || rounds < 30) {
            rounds++;
            state = catchUp(state, 1 + random.nextInt(5));
            checkpoints.add(state.copy());
            if (random.nextInt(4) == 0) {
                // A crash: the client restarts from a cursor and files it saved at some earlier point.
                state = checkpoints.get(random.nextInt(checkpoints.size())).copy();
                crashes++;
                continue;
            }
            if (writing.get()) {
                JsonNode woke = get("/v1/buckets/" + f.bucket + "/changes/wait?timeout=30&cursor="
                        + q(state.cursor()));
                polls++;
                assertThat(woke.has("changes")).isTrue();
            }
        }
        writers.shutdown();
        assertThat(writers.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
        for (Future<?> d : done) {
            d.get();
        }

        Map<String, String> expected = modelListing();
        ApiFixture.await("the projection to show the writers' last state", () -> {
            try {
                return apiListing().equals(expected);
            } catch (Exception e) {
                return false;
            }
        });
        ClientState[] last = {state};
        ApiFixture.await("the client to catch up", () -> {
            try {
                last[0] = catchUp(last[0], 7);
                return last[0].files().equals(expected);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertThat(last[0].files()).isEqualTo(apiListing());
        // A client starting now from nothing (a full sync) ends the same, and saw each key's entries in S3's order.
        ClientState fresh = catchUp(new ClientState(null, new TreeMap<>(), new HashMap<>()), 10);
        assertThat(fresh.files()).isEqualTo(expected);
        fresh.sequencers().forEach((key, sequencers) ->
                assertThat(sequencers).as(key).isSortedAccordingTo(String::compareTo));
        System.out.println("ChangeFeedModelTest files=" + expected.size() + " crashes=" + crashes + " longPolls="
                + polls + " checkpoints=" + checkpoints.size());
        assertThat(crashes).as("the client did restart from saved points").isPositive();
    }
}
