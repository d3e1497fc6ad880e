package dev.filetrail.api.shards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.ApiFixture;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.history.FileVersion;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The query API's reads that ask every shard ask them at once ({@link ShardFanOut}), shown on real PostgreSQL shards
 * without a clock: the test holds an {@code ACCESS EXCLUSIVE} lock on the route's table in every shard, and the
 * request's statement is then seen waiting for that lock in every shard at the same time — asked one after another,
 * the second shard's statement would not be sent before the first had answered. Released, the merged answer is
 * complete. A shard that is down fails the request with the same 500 problem as before the fan-out.
 */
@ExtendWith(RealParts.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShardFanOutApiTest {
    static final int SHARDS = KafkaCluster.TEST_PARTITIONS;
    static final String PREFIX = "fan/";
    static ApiFixture f;
    static ReadModelShards shards;
    static PostgresServer server;
    static final List<String> files = new ArrayList<>();
    static final String SHARED = PREFIX + "shared.txt";
    /** Link id → token, created until every shard holds one. */
    static final Map<String, String> links = new LinkedHashMap<>();

    @BeforeAll
    static void start(KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3) {
        server = postgres;
        f = new ApiFixture("fanout", kafka, postgres, s3, true, Duration.ofSeconds(10), 1000,
                ApiFixture.shardedReadModel(postgres, "fanout", SHARDS));
        shards = f.api.shards();
        for (int shard = 0; shard < SHARDS; shard++) {
            files.addAll(keysOnShard(PREFIX + "s" + shard + "-", shard, 2));
        }
        files.add(SHARED);
        for (String key : files) {
            f.feed.putVersion(key, ("bytes of " + key).getBytes(StandardCharsets.UTF_8), "text/plain");
        }
        files.sort(ShardedFiles.KEY_ORDER);
        ApiFixture.await("every file listed", () -> keys(ok(f.get(listing(), f.keys.get("read")))).equals(files));
        // A link lives in the shard of its id's partition (random ids): create links until every shard has one.
        Set<Integer> holding = new HashSet<>();
        while (holding.size() < SHARDS) {
            assertThat(links).as("links on every shard within 60").hasSizeLessThan(60);
            HttpResponse<String> created = f.post("/v1/shares", f.keys.get("share"), "{\"bucket\":\"" + f.bucket
                    + "\",\"key\":" + Json.writeString(SHARED) + "}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode body = ApiFixture.json(created);
            String url = body.get("url").asText();
            links.put(body.get("id").asText(), url.substring(url.lastIndexOf('/') + 1));
            holding.add(shards.shardOfShareLink(body.get("id").asText()));
        }
        ApiFixture.await("every file's change and audit event projected", () -> changedKeys().containsAll(files)
                && auditSubjects().containsAll(files.stream().map(k -> Topics.objectKey(f.bucket, k)).toList()));
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @Test
    void theListingAsksEveryShardAtOnce() {
        HttpResponse<String> answer = withEveryShardLocked("files", "FROM files WHERE bucket = $1 AND NOT deleted",
                () -> f.get(listing(), f.keys.get("read")));
        assertThat(keys(ok(answer))).containsExactlyElementsOf(files);
    }

    @Test
    void theAuditPageAsksEveryShardAtOnce() {
        HttpResponse<String> answer = withEveryShardLocked("audit_events", "FROM audit_events WHERE",
                () -> f.get("/v1/audit?bucket=" + f.bucket + "&limit=1000", f.admin()));
        List<String> subjects = new ArrayList<>();
        ok(answer).get("events").forEach(e -> subjects.add(e.get("subject").asText()));
        assertThat(subjects).containsAll(files.stream().map(k -> Topics.objectKey(f.bucket, k)).toList());
    }

    @Test
    void theSharePageLooksTheTokenUpInEveryShardAtOnce() {
        // The link on the last shard: asked in turn, it was the one that took every shard's lookup.
        String last = links.keySet().stream().filter(id -> shards.shardOfShareLink(id) == SHARDS - 1).findFirst()
                .orElseThrow();
        HttpResponse<String> page = withEveryShardLocked("share_links", "FROM share_links WHERE token_sha256",
                () -> f.get("/s/" + links.get(last), null));
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(page.body()).contains("shared.txt");
        for (String token : links.values()) {
            assertThat(f.get("/s/" + token, null).statusCode()).isEqualTo(200);
        }
        // A token no shard holds (the same shape, one character changed): asked of every shard, found in none.
        String token = links.get(last);
        String wrong = token.substring(0, token.length() - 1) + (token.endsWith("A") ? "B" : "A");
        assertThat(f.get("/s/" + wrong, null).statusCode()).isEqualTo(404);
    }

    @Test
    void aFilesSharesAreAskedOfEveryShardAtOnce() {
        HttpResponse<String> answer = withEveryShardLocked("share_links", "FROM share_links WHERE bucket = $1",
                () -> f.get(f.filePath(SHARED) + "/shares?limit=100", f.keys.get("share")));
        List<String> listed = new ArrayList<>();
        ok(answer).get("links").forEach(l -> listed.add(l.get("id").asText()));
        assertThat(listed).containsExactlyElementsOf(links.keySet());
    }

    @Test
    void theChangeFeedReadsEveryShardAtOnce() {
        HttpResponse<String> answer = withEveryShardLocked("changes", "FROM changes WHERE bucket = $1",
                () -> f.get(changes(), f.keys.get("read")));
        List<String> keys = new ArrayList<>();
        ok(answer).get("changes").forEach(c -> keys.add(c.get("key").asText()));
        assertThat(keys).containsExactlyInAnyOrderElementsOf(files);
    }

    /** Last: it takes shard 1 away for a while. */
    @Test
    @Order(Integer.MAX_VALUE)
    void aShardThatIsDownFailsTheListingWithTheSameProblemAsBefore() throws Exception {
        String url = shards.endpoint(1).url();
        String database = url.substring(url.lastIndexOf('/') + 1);
        try (Connection admin = DriverManager.getConnection(server.jdbcUrl("postgres"), PostgresServer.USER,
                PostgresServer.PASSWORD); Statement s = admin.createStatement()) {
            s.execute("ALTER DATABASE " + database + " WITH ALLOW_CONNECTIONS false");
            try {
                s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database + "'");
                // Shard 1's connections are cut and new ones refused, so its read fails (a cut connection at once,
                // or the pool's 10 s timeout): the same failure as before the fan-out, an internal error problem,
                // not a partial listing.
                HttpResponse<String> answer = f.get(listing(), f.keys.get("read"));
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(500);
                assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(
                        type -> assertThat(type).startsWith("application/problem+json"));
                JsonNode problem = ApiFixture.json(answer);
                assertThat(problem.get("type").asText()).isEqualTo("https://filetrail.dev/problems/internal");
                assertThat(problem.get("title").asText()).isEqualTo("Internal server error");
                assertThat(problem.get("detail").asText())
                        .isEqualTo("the server could not answer; the error is logged");
                assertThat(answer.body()).doesNotContain(PREFIX);
                // The request failed only once the other shards' reads were done: none still runs.
                assertThat(f.api.registry().get("executor.active").tag("name", ShardFanOut.NAME).gauge().value())
                        .isZero();
            } finally {
                s.execute("ALTER DATABASE " + database + " WITH ALLOW_CONNECTIONS true");
            }
        }
        ApiFixture.await("the listing answered again", () -> f.get(listing(), f.keys.get("read")).statusCode() == 200);
        assertThat(keys(ok(f.get(listing(), f.keys.get("read"))))).containsExactlyElementsOf(files);
    }

    /**
     * Runs {@code request} while this test holds {@code table} locked in every shard, and returns its answer once
     * the locks are released. Before releasing them it waits until every shard has a statement containing
     * {@code statement} waiting for this test's lock at the same time, and until then the request has not answered.
     */
    static HttpResponse<String> withEveryShardLocked(String table, String statement,
                                                     Supplier<HttpResponse<String>> request) {
        List<Connection> holders = new ArrayList<>();
        CompletableFuture<HttpResponse<String>> answer;
        try {
            for (int i = 0; i < SHARDS; i++) {
                ShardSettings.ShardEndpoint shard = shards.endpoint(i);
                Connection holder = DriverManager.getConnection(shard.url(), shard.user(), shard.password());
                holders.add(holder);
                holder.setAutoCommit(false);
                try (Statement s = holder.createStatement()) {
                    s.execute("LOCK TABLE " + f.config.databaseSchema() + "." + table + " IN ACCESS EXCLUSIVE MODE");
                }
            }
            answer = CompletableFuture.supplyAsync(request);
            ApiFixture.await("the request's statement on " + table + " waiting in all " + SHARDS + " shards at once",
                    () -> holders.stream().allMatch(holder -> waitingFor(holder, statement) > 0));
            assertThat(answer).as("answered while every shard's read is blocked").isNotDone();
            // Shards 1.. are read on the fan-out's threads while the request thread reads shard 0.
            assertThat(f.api.registry().get("executor.active").tag("name", ShardFanOut.NAME).gauge().value())
                    .isGreaterThanOrEqualTo(SHARDS - 1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } finally {
            for (Connection holder : holders) {
                try (holder) {
                    holder.rollback();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        try {
            return answer.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the request did not answer once the shards were released", e);
        }
    }

    /** How many statements containing {@code statement} wait for {@code holder}'s locks in its database. */
    static long waitingFor(Connection holder, String statement) {
        try (Statement clear = holder.createStatement();
             PreparedStatement s = holder.prepareStatement("SELECT count(*) FROM pg_stat_activity "
                     + "WHERE pg_backend_pid() = ANY (pg_blocking_pids(pid)) AND datname = current_database() "
                     + "AND strpos(query, ?) > 0")) {
            // The holder's transaction would otherwise keep seeing its first look at pg_stat_activity.
            clear.execute("SELECT pg_stat_clear_snapshot()");
            s.setString(1, statement);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static String listing() {
        return "/v1/buckets/" + f.bucket + "/files?prefix=" + q(PREFIX) + "&limit=100";
    }

    static String changes() {
        return "/v1/buckets/" + f.bucket + "/changes?prefix=" + q(PREFIX) + "&limit=100";
    }

    static List<String> keys(JsonNode page) {
        List<String> keys = new ArrayList<>();
        page.get("files").forEach(file -> keys.add(file.get("key").asText()));
        return keys;
    }

    static Set<String> changedKeys() {
        Set<String> keys = new HashSet<>();
        ok(f.get(changes(), f.keys.get("read"))).get("changes").forEach(c -> keys.add(c.get("key").asText()));
        return keys;
    }

    static Set<String> auditSubjects() {
        Set<String> subjects = new HashSet<>();
        ok(f.get("/v1/audit?bucket=" + f.bucket + "&limit=1000", f.admin())).get("events")
                .forEach(e -> subjects.add(e.get("subject").asText()));
        return subjects;
    }

    /** {@code count} keys starting with {@code prefix} that shard {@code shard} holds. */
    static List<String> keysOnShard(String prefix, int shard, int count) {
        List<String> keys = new ArrayList<>();
        for (int n = 0; keys.size() < count; n++) {
            String key = prefix + n + ".txt";
            if (shards.shardOf(f.bucket, key) == shard) {
                keys.add(key);
            }
        }
        return keys;
    }

    static JsonNode ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return ApiFixture.json(response);
    }

    static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
