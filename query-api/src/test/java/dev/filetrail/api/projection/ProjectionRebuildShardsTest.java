package dev.filetrail.api.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.ApiFixture;
import dev.filetrail.api.ProjectorService;
import dev.filetrail.api.ReadModelFeed;
import dev.filetrail.api.shards.ReadModelShards;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.kafka.KafkaRole;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link ProjectionRebuild} per shard, as the way from one database to N: the read model projected unsharded into
 * one database, then READ_MODEL_SHARDS names it shard 0 of three and each shard is rebuilt — each ends with exactly
 * the files of its partitions (p mod 3) and only their offsets, although shard 0's old schema held every partition's.
 */
@ExtendWith(RealParts.class)
class ProjectionRebuildShardsTest {
    private static final int SHARDS = KafkaCluster.TEST_PARTITIONS;

    @Test
    void fromOneDatabaseToThreeShardsByRebuildingEachShard(KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3)
            throws Exception {
        String bucket = "rebuild-shards-" + Long.toHexString(System.nanoTime());
        s3.createVersionedBucket(bucket);
        String group = KafkaRole.PROJECTOR_GROUP_PREFIX + "-rebuild-shards-" + System.nanoTime();
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < SHARDS; i++) {
            urls.add(postgres.createDatabase("rebuild_shard" + i));
        }
        List<String> keys = new ArrayList<>();
        try (ProjectorService one = new ProjectorService(config(kafka, urls.get(0), List.of(), group)).start();
             ReadModelFeed feed = new ReadModelFeed(kafka.settings(KafkaRole.STREAMS), s3, bucket, bucket)) {
            for (int i = 0; i < 24; i++) {
                String key = "k/" + i;
                keys.add(key);
                feed.recordVersion(key, i);
            }
            ApiFixture.await("one database holds every file", () -> files(urls.get(0), bucket).size() == keys.size());
        }
        assertThat(partitions(urls.get(0))).as("unsharded: every partition's offsets").hasSize(SHARDS);

        ProjectionRebuild rebuild = new ProjectionRebuild(config(kafka, urls.get(0), urls, group));
        assertThat(rebuild.shards()).isEqualTo(SHARDS);
        assertThatThrownBy(() -> rebuild.run(p -> { }, false)).hasMessageContaining("one at a time");
        assertThatThrownBy(() -> target(SHARDS, SHARDS, urls.get(0))).hasMessageContaining("no shard " + SHARDS);
        // Two shards do not divide the three partitions: refused before anything is built, as the projector is.
        ProjectionRebuild two = new ProjectionRebuild(config(kafka, urls.get(0), urls.subList(0, 2), group));
        assertThatThrownBy(() -> two.run(target(1, 2, urls.get(1)), p -> { }, false, false))
                .hasMessageContaining("must be a multiple of the shard count");
        for (int shard = 0; shard < SHARDS; shard++) {
            ProjectionRebuild.Summary dry = rebuild.run(target(shard, SHARDS, urls.get(shard)), p -> { }, true, false);
            assertThat(dry.dryRun()).isTrue();
            ProjectionRebuild.Summary summary = rebuild.run(target(shard, SHARDS, urls.get(shard)), p -> { }, false,
                    true);
            assertThat(summary.shard()).isEqualTo(shard);
            assertThat(summary.switched()).isTrue();
            assertThat(summary.records()).as("its partitions' records").isPositive().isLessThanOrEqualTo(dry.records());
        }
        for (int shard = 0; shard < SHARDS; shard++) {
            int s = shard;
            TreeSet<String> expected = new TreeSet<>();
            keys.stream().filter(k -> ReadModelShards.shardOf(bucket, k, KafkaCluster.TEST_PARTITIONS, SHARDS) == s)
                    .forEach(expected::add);
            assertThat(files(urls.get(shard), bucket)).as("shard " + shard).isEqualTo(expected);
            assertThat(partitions(urls.get(shard))).as("shard " + shard + "'s offsets")
                    .containsOnly(shard);
        }
        assertThat(files(urls.get(0), bucket).size() + files(urls.get(1), bucket).size()
                + files(urls.get(2), bucket).size()).isEqualTo(keys.size());
    }

    private static ProjectionRebuild.Target target(int shard, int shards, String url) {
        return new ProjectionRebuild.Target(shard, shards, url, PostgresServer.USER, PostgresServer.PASSWORD);
    }

    private static ApiConfig config(KafkaCluster kafka, String databaseUrl, List<String> shards, String group) {
        Map<String, String> env = new HashMap<>(kafka.settings(KafkaRole.API).environment());
        env.putAll(Map.of("API_PORT", "0", "API_ADMIN_PORT", "0", "DATABASE_URL", databaseUrl,
                "READ_MODEL_SHARDS", String.join(",", shards),
                "DATABASE_USER", PostgresServer.USER, "DATABASE_PASSWORD", PostgresServer.PASSWORD,
                "PROJECTOR_GROUP_ID", group));
        return ApiConfig.fromMap(env);
    }

    private static TreeSet<String> files(String url, String bucket) {
        TreeSet<String> keys = new TreeSet<>();
        try (Connection c = DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
             PreparedStatement s = c.prepareStatement("SELECT key FROM filetrail.files WHERE bucket = ?")) {
            s.setString(1, bucket);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    keys.add(rs.getString(1));
                }
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return keys;
    }

    /** The partitions of file-versions whose offsets the live schema keeps, mod the shard count. */
    private static TreeSet<Integer> partitions(String url) throws Exception {
        TreeSet<Integer> shards = new TreeSet<>();
        try (Connection c = DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
             ResultSet rs = c.createStatement().executeQuery("SELECT DISTINCT partition FROM filetrail.projection_offsets")) {
            while (rs.next()) {
                shards.add(rs.getInt(1) % SHARDS);
            }
        }
        return shards;
    }
}
