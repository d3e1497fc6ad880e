package dev.filetrail.api.shards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.ApiFixture;
import dev.filetrail.api.ProjectorService;
import dev.filetrail.api.QueryApi;
import dev.filetrail.api.ReadModelFeed;
import dev.filetrail.api.projection.Projector;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.KafkaRole;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The read model in several PostgreSQL databases: each shard's projector takes exactly its partitions (p mod N) and
 * keeps their offsets beside their rows, so every file lands in the shard {@link ReadModelShards#shardOf} names.
 * The test topics have {@link KafkaCluster#TEST_PARTITIONS} (3) partitions: three shards divide them, two do not.
 */
@ExtendWith(RealParts.class)
class ShardedProjectorTest {

    @Test
    void eachShardProjectsExactlyItsPartitionsAndEveryFileLandsWhereShardOfSays(KafkaCluster kafka,
                                                                               PostgresServer postgres, EmbeddedS3 s3)
            throws Exception {
        String bucket = "shards-" + Long.toHexString(System.nanoTime());
        s3.createVersionedBucket(bucket);
        int n = KafkaCluster.TEST_PARTITIONS;
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            urls.add(postgres.createDatabase("shard" + i));
        }
        ApiConfig config = config(kafka, postgres.createDatabase("unused"), urls);
        List<String> keys = new ArrayList<>();
        try (ProjectorService service = new ProjectorService(config).start();
             ReadModelFeed feed = new ReadModelFeed(kafka.settings(KafkaRole.STREAMS), s3, bucket, bucket);
             ShardFanOut fanOut = new ShardFanOut(ShardFanOut.DEFAULT_THREADS,
                     new io.micrometer.core.instrument.simple.SimpleMeterRegistry())) {
            ReadModelShards shards = service.shards();
            assertThat(shards.count()).isEqualTo(n);
            assertThat(shards.partitions()).isEqualTo(KafkaCluster.TEST_PARTITIONS);
            // Share links are keyed by link id: each lands in the shard of its id's partition.
            List<String> links = new ArrayList<>();
            java.time.Instant created = java.time.Instant.now();
            for (int i = 0; i < 12; i++) {
                String linkId = "shl_" + bucket + "_" + i;
                links.add(linkId);
                feed.sendJson(Topics.SHARE_LINKS.name(), linkId, new dev.filetrail.events.share.ShareLink(linkId, bucket,
                        "dir/file-" + i + ".txt", "sha-" + linkId, null, "v1",
                        dev.filetrail.events.share.ShareLink.Status.ACTIVE, null, null, null, true, "key:test", created,
                        null, null, 0, null, "cmd-" + linkId, created));
            }
            for (int i = 0; i < 40; i++) {
                String key = "dir/file-" + i + ".txt";
                keys.add(key);
                feed.recordVersion(key, i);
                feed.recordVersion(key, 100 + i);
            }
            // Above U+FFFF UTF-16 order and the columns' byte order disagree: the merge must follow the columns.
            for (String key : List.of("dir/\uFFFD-replacement", "dir/\uD83D\uDE00-emoji", "dir/\u00e9-accent")) {
                keys.add(key);
                feed.recordVersion(key, 1);
                feed.recordVersion(key, 2);
            }
            ApiFixture.await("every file projected", java.time.Duration.ofMinutes(3),
                    () -> total(shards, "SELECT count(*) FROM files WHERE bucket = ?", bucket) == keys.size());
            ApiFixture.await("every audit event projected", java.time.Duration.ofMinutes(1),
                    () -> total(shards, "SELECT count(*) FROM audit_events WHERE bucket = ?", bucket)
                            == 2L * keys.size());

            ApiFixture.await("every share link projected", java.time.Duration.ofMinutes(1),
                    () -> total(shards, "SELECT count(*) FROM share_links WHERE bucket = ?", bucket) == links.size());
            java.util.Set<Integer> linkShards = new java.util.HashSet<>();
            for (String linkId : links) {
                int home = shards.shardOfShareLink(linkId);
                linkShards.add(home);
                for (int i = 0; i < n; i++) {
                    assertThat(count(shards.primary(i), "SELECT count(*) FROM share_links WHERE link_id = ?", linkId))
                            .as("%s in shard %d (home %d)", linkId, i, home).isEqualTo(i == home ? 1 : 0);
                }
            }
            assertThat(linkShards).as("links on more than one shard").hasSizeGreaterThan(1);
            for (String key : keys) {
                int home = shards.shardOf(bucket, key);
                for (int i = 0; i < n; i++) {
                    long expected = i == home ? 1 : 0;
                    assertThat(count(shards.primary(i), "SELECT count(*) FROM files WHERE bucket = ? AND key = '"
                            + key + "'", bucket)).as("%s in shard %d (home %d)", key, i, home).isEqualTo(expected);
                    assertThat(count(shards.primary(i), "SELECT count(*) FROM file_versions WHERE bucket = ? AND key = '"
                            + key + "'", bucket)).isEqualTo(2 * expected);
                    assertThat(count(shards.primary(i), "SELECT count(*) FROM audit_events WHERE bucket = ? AND subject = '"
                            + Topics.objectKey(bucket, key) + "'", bucket)).isEqualTo(2 * expected);
                }
            }
            for (int i = 0; i < n; i++) {
                assertThat(count(shards.primary(i), "SELECT count(*) FROM files WHERE bucket = ?", bucket))
                        .as("shard %d holds rows", i).isPositive();
                // A shard's offsets are its own partitions' and no other's.
                Map<String, List<Integer>> stored = offsets(shards.primary(i));
                for (String topic : Projector.TOPICS) {
                    int shard = i;
                    assertThat(stored.getOrDefault(topic, List.of())).allMatch(p -> p % n == shard);
                }
                assertThat(stored.get(Topics.FILE_VERSIONS.name())).containsExactly(i);
                assertThat(service.projectors().get(i).shard()).isEqualTo(new Projector.ShardPartitions(i, n));
            }
            // API keys live in shard 0 only.
            assertThat(count(shards.primary(0), "SELECT count(*) FROM information_schema.schemata WHERE schema_name = ?",
                    config.keysSchema())).isEqualTo(1);
            for (int i = 1; i < n; i++) {
                assertThat(count(shards.primary(i), "SELECT count(*) FROM information_schema.tables WHERE table_schema = ?",
                        config.keysSchema())).isZero();
            }

            // /ready: each shard's database and projection.
            HttpClient http = HttpClient.newHttpClient();
            String ready = "http://127.0.0.1:" + service.adminPort() + "/ready";
            ApiFixture.await("every shard caught up", java.time.Duration.ofMinutes(3),
                    () -> service.projectors().stream().allMatch(p -> p.lag() == 0));
            ApiFixture.await("ready", () -> ApiFixture.status(http, ready) == 200);
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(ready)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = Json.MAPPER.readTree(response.body());
            JsonNode perShard = body.findValue("shards");
            assertThat(perShard).as(response.body()).isNotNull();
            assertThat(perShard.size()).isEqualTo(n);
            for (int i = 0; i < n; i++) {
                assertThat(perShard.get(i).get("shard").asInt()).isEqualTo(i);
                assertThat(perShard.get(i).get("postgresql").asText()).isEqualTo("UP");
                assertThat(perShard.get(i).get("projection").get("running").asBoolean()).isTrue();
            }

            // Single-key reads go to the file's shard; no other shard knows the file.
            ShardedFiles files = new ShardedFiles(shards, fanOut);
            for (String key : keys.subList(0, 6)) {
                int home = shards.shardOf(bucket, key);
                assertThat(files.forFile(bucket, key).file(bucket, key)).isPresent();
                assertThat(files.forFile(bucket, key).history(bucket, key, null, null, 10)).hasSize(2);
                assertThat(new dev.filetrail.api.files.FileQueries(shards.primary((home + 1) % n)).file(bucket, key))
                        .isEmpty();
            }

            // The listing pages through every shard in key order with small pages while files are being added:
            // no key twice, none of those present throughout missed.
            List<String> late = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread writer = new Thread(() -> {
                for (int i = 0; i < 30; i++) {
                    String key = "dir/file-" + i + "-late.txt";
                    feed.recordVersion(key, i);
                    late.add(key);
                }
            });
            writer.start();
            List<String> seen = page(files, bucket, 3);
            writer.join();
            assertThat(seen).doesNotHaveDuplicates().isSortedAccordingTo(ShardedFiles.KEY_ORDER).containsAll(keys);
            List<String> everything = new ArrayList<>(keys);
            everything.addAll(late);
            ApiFixture.await("the late files projected", java.time.Duration.ofMinutes(1),
                    () -> total(shards, "SELECT count(*) FROM files WHERE bucket = ?", bucket) == everything.size());
            everything.sort(ShardedFiles.KEY_ORDER);
            for (int pageSize : new int[] {1, 4, 7, 100}) {
                assertThat(page(files, bucket, pageSize)).as("page size %d", pageSize).containsExactlyElementsOf(everything);
            }
            assertThat(everything.indexOf("dir/\uFFFD-replacement")).isLessThan(everything.indexOf("dir/\uD83D\uDE00-emoji"));
            // As of now, the as-of listing pages the same keys.
            java.time.Instant now = java.time.Instant.now();
            List<String> asOf = new ArrayList<>();
            String cursor = null;
            while (true) {
                List<dev.filetrail.api.files.FileQueries.AsOfRow> rows = files.listAsOf(bucket, "dir/", cursor, now, 5);
                rows.forEach(r -> asOf.add(r.key()));
                if (rows.size() < 5) {
                    break;
                }
                cursor = rows.get(rows.size() - 1).key();
            }
            assertThat(asOf).containsExactlyElementsOf(everything);

            // The audit query merges the shards in (time, id) order; its cursor is the last pair, valid everywhere.
            long events = 2L * keys.size() + late.size();
            ApiFixture.await("every audit event projected", java.time.Duration.ofMinutes(1),
                    () -> total(shards, "SELECT count(*) FROM audit_events WHERE bucket = ?", bucket) == events);
            List<DataSource> primaries = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                primaries.add(shards.primary(i));
            }
            dev.filetrail.api.audit.AuditRoutes audit = new dev.filetrail.api.audit.AuditRoutes(primaries, fanOut);
            var filter = new dev.filetrail.api.audit.AuditRoutes.AuditFilter(bucket, null, null, null, null);
            List<JsonNode> paged = new ArrayList<>();
            String auditCursor = null;
            int pages = 0;
            do {
                var page = audit.page(filter, auditCursor, 7);
                paged.addAll(page.events());
                auditCursor = page.nextCursor();
                pages++;
            } while (auditCursor != null);
            assertThat(pages).isGreaterThan(1);
            List<String> ids = paged.stream().map(e -> e.get("id").asText()).toList();
            assertThat(ids).hasSize((int) events).doesNotHaveDuplicates();
            List<java.time.Instant> times = paged.stream().map(e -> java.time.Instant.parse(e.get("time").asText())).toList();
            assertThat(times).isSorted();
            java.util.Set<String> subjects = new java.util.HashSet<>();
            paged.forEach(e -> subjects.add(e.get("subject").asText()));
            assertThat(subjects).hasSize(everything.size());
            // One page holding all: the same events in the same order.
            assertThat(audit.page(filter, null, 1000).events()).containsExactlyElementsOf(paged);
        }
    }

    @Test
    void refusesAShardCountThatDoesNotDivideThePartitions(KafkaCluster kafka, PostgresServer postgres) {
        ApiConfig config = config(kafka, postgres.createDatabase("unused"),
                List.of(postgres.createDatabase("two0"), postgres.createDatabase("two1")));
        assertThatThrownBy(() -> new ProjectorService(config).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("READ_MODEL_SHARDS lists 2 shards")
                .hasMessageContaining("multiple of the shard count")
                .hasMessageContaining(Topics.FILE_VERSIONS.name() + " has 3 partitions");
    }

    @Test
    void theQueryApiRefusesAShardCountThatDoesNotDivideThePartitions(KafkaCluster kafka, PostgresServer postgres) {
        ApiConfig config = config(kafka, postgres.createDatabase("unused"),
                List.of(postgres.createDatabase("api0"), postgres.createDatabase("api1")));
        assertThatThrownBy(() -> new QueryApi(config).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("READ_MODEL_SHARDS lists 2 shards")
                .hasMessageContaining(Topics.FILE_VERSIONS.name() + " has 3 partitions");
    }

    /** Every key of the bucket under {@code dir/}, paged with the last key as the cursor. */
    private static List<String> page(ShardedFiles files, String bucket, int size) {
        List<String> keys = new ArrayList<>();
        String cursor = null;
        while (true) {
            List<dev.filetrail.api.files.FileQueries.FileRow> rows = files.list(bucket, "dir/", cursor, size);
            rows.forEach(r -> keys.add(r.key()));
            if (rows.size() < size) {
                return keys;
            }
            cursor = rows.get(rows.size() - 1).key();
        }
    }

    /**
     * Two instances over the same shards (as two API tasks run): each shard's partitions are split between the two
     * instances' projectors of that shard, never read by both; when one instance stops, the other takes its
     * partitions and what is written afterwards still lands, each row once.
     */
    @Test
    void instancesShareEachShardsPartitionsAndOneTakesOverWhenTheOtherStops(KafkaCluster kafka,
                                                                            PostgresServer postgres, EmbeddedS3 s3)
            throws Exception {
        String bucket = "shares-of-shards-" + Long.toHexString(System.nanoTime());
        s3.createVersionedBucket(bucket);
        int n = KafkaCluster.TEST_PARTITIONS;
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            urls.add(postgres.createDatabase("split" + i));
        }
        ApiConfig config = config(kafka, postgres.createDatabase("split_unused"), urls);
        try (ProjectorService one = new ProjectorService(config).start();
             ReadModelFeed feed = new ReadModelFeed(kafka.settings(KafkaRole.STREAMS), s3, bucket, bucket)) {
            ReadModelShards shards = one.shards();
            List<String> keys = new ArrayList<>();
            try (ProjectorService two = new ProjectorService(config).start()) {
                ApiFixture.await("each shard's partitions split between the two instances",
                        java.time.Duration.ofMinutes(1), () -> splitEvenly(one, two, n));
                for (int i = 0; i < n; i++) {
                    java.util.Set<org.apache.kafka.common.TopicPartition> a = one.projectors().get(i).assignedPartitions();
                    java.util.Set<org.apache.kafka.common.TopicPartition> b = two.projectors().get(i).assignedPartitions();
                    assertThat(a).as("shard %d: each instance holds some", i).isNotEmpty();
                    assertThat(b).isNotEmpty();
                    assertThat(a).as("shard %d: no partition read by both", i).doesNotContainAnyElementsOf(b);
                    int shard = i;
                    assertThat(a).allMatch(tp -> tp.partition() % n == shard);
                    assertThat(b).allMatch(tp -> tp.partition() % n == shard);
                }
                for (int i = 0; i < 30; i++) {
                    String key = "split/file-" + i + ".txt";
                    keys.add(key);
                    feed.recordVersion(key, i);
                }
                awaitFiles(shards, bucket, keys.size());
            }
            ApiFixture.await("the remaining instance holds every partition", java.time.Duration.ofMinutes(1), () -> {
                for (int i = 0; i < n; i++) {
                    if (one.projectors().get(i).assignedPartitions().size() != Projector.TOPICS.size()) {
                        return false;
                    }
                }
                return true;
            });
            for (int i = 30; i < 60; i++) {
                String key = "split/file-" + i + ".txt";
                keys.add(key);
                feed.recordVersion(key, i);
            }
            awaitFiles(shards, bucket, keys.size());
            for (String key : keys) {
                int home = shards.shardOf(bucket, key);
                assertThat(count(shards.primary(home), "SELECT count(*) FROM file_versions WHERE bucket = ? AND key = '"
                        + key + "'", bucket)).as("%s once in shard %d", key, home).isEqualTo(1);
            }
        }
    }

    /** Every shard's partitions (one per projected topic here) held once, by the two instances together. */
    private static boolean splitEvenly(ProjectorService one, ProjectorService two, int n) {
        for (int i = 0; i < n; i++) {
            var a = one.projectors().get(i).assignedPartitions();
            var b = two.projectors().get(i).assignedPartitions();
            if (a.isEmpty() || b.isEmpty() || a.size() + b.size() != Projector.TOPICS.size()) {
                return false;
            }
        }
        return true;
    }

    private static void awaitFiles(ReadModelShards shards, String bucket, int expected) {
        ApiFixture.await(expected + " files projected", java.time.Duration.ofMinutes(2),
                () -> total(shards, "SELECT count(*) FROM files WHERE bucket = ?", bucket) == expected);
    }

    /** The sum of one count over every shard. */
    private static long total(ReadModelShards shards, String sql, String bucket) {
        long total = 0;
        for (int i = 0; i < shards.count(); i++) {
            total += count(shards.primary(i), sql, bucket);
        }
        return total;
    }

    private static ApiConfig config(KafkaCluster kafka, String databaseUrl, List<String> shardUrls) {
        Map<String, String> env = new HashMap<>(kafka.settings(KafkaRole.API).environment());
        env.putAll(Map.of("API_PORT", "0", "API_ADMIN_PORT", "0", "DATABASE_URL", databaseUrl,
                "READ_MODEL_SHARDS", String.join(",", shardUrls),
                "DATABASE_USER", PostgresServer.USER, "DATABASE_PASSWORD", PostgresServer.PASSWORD,
                "PROJECTOR_GROUP_ID", KafkaRole.PROJECTOR_GROUP_PREFIX + "-shards-" + System.nanoTime()));
        return ApiConfig.fromMap(env);
    }

    private static long count(DataSource dataSource, String sql, String param) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, param);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, List<Integer>> offsets(DataSource dataSource) throws Exception {
        Map<String, List<Integer>> stored = new HashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT topic, partition FROM projection_offsets ORDER BY 1, 2");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                stored.computeIfAbsent(rs.getString(1), t -> new ArrayList<>()).add(rs.getInt(2));
            }
        }
        return stored;
    }
}
