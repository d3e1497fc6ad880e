package dev.filetrail.api.shards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.api.ApiConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShardSettingsTest {

    @Test
    void unsetOrEmptyIsOneShardAtDatabaseUrl() {
        for (Map<String, String> env : List.of(Map.<String, String>of(), Map.of("READ_MODEL_SHARDS", ""),
                Map.of("READ_MODEL_SHARDS", "  "))) {
            ApiConfig config = ApiConfig.fromMap(with(env, "DATABASE_URL", "jdbc:postgresql://db:5432/ft"));
            assertThat(config.readModelShards().count()).isEqualTo(1);
            assertThat(config.shardEndpoints()).containsExactly(new ShardSettings.ShardEndpoint(0,
                    "jdbc:postgresql://db:5432/ft", null, "postgres", "postgres"));
        }
    }

    @Test
    void shardsInOrderWithPerShardCredentialsAndAlignedReplicas() {
        ApiConfig config = ApiConfig.fromMap(Map.of(
                "READ_MODEL_SHARDS", "jdbc:postgresql://a/ft, jdbc:postgresql://b/ft,jdbc:postgresql://c/ft",
                "READ_MODEL_REPLICAS", "jdbc:postgresql://a-ro/ft,,",
                "DATABASE_USER", "shared", "DATABASE_PASSWORD", "shared-secret",
                "DATABASE_USER_1", "b-user", "DATABASE_PASSWORD_1", "b-secret", "DATABASE_PASSWORD_2", "c-secret"));
        assertThat(config.shardEndpoints()).containsExactly(
                new ShardSettings.ShardEndpoint(0, "jdbc:postgresql://a/ft", "jdbc:postgresql://a-ro/ft", "shared",
                        "shared-secret"),
                new ShardSettings.ShardEndpoint(1, "jdbc:postgresql://b/ft", null, "b-user", "b-secret"),
                new ShardSettings.ShardEndpoint(2, "jdbc:postgresql://c/ft", null, "shared", "c-secret"));
        // A shorter replica list: the shards past its end have none.
        ApiConfig shorter = ApiConfig.fromMap(Map.of("READ_MODEL_SHARDS", "jdbc:postgresql://a/ft,jdbc:postgresql://b/ft",
                "READ_MODEL_REPLICAS", "jdbc:postgresql://a-ro/ft"));
        assertThat(shorter.shardEndpoints()).extracting(ShardSettings.ShardEndpoint::replicaUrl)
                .containsExactly("jdbc:postgresql://a-ro/ft", null);
        // One shard (DATABASE_URL) may have a replica too.
        assertThat(ApiConfig.fromMap(Map.of("READ_MODEL_REPLICAS", "jdbc:postgresql://ro/ft")).shardEndpoints())
                .extracting(ShardSettings.ShardEndpoint::replicaUrl).containsExactly("jdbc:postgresql://ro/ft");
    }

    @Test
    void passwordsNeverPrinted() {
        ApiConfig config = ApiConfig.fromMap(Map.of("READ_MODEL_SHARDS", "jdbc:postgresql://a/ft",
                "DATABASE_PASSWORD", "hunter2"));
        assertThat(config.shardEndpoints().get(0).toString()).doesNotContain("hunter2").contains("jdbc:postgresql://a/ft");
    }

    @Test
    void refusesWhatCannotBeMeant() {
        assertThatThrownBy(() -> ApiConfig.fromMap(Map.of("READ_MODEL_SHARDS", "jdbc:postgresql://a/ft,,jdbc:postgresql://b/ft")))
                .hasMessageContaining("READ_MODEL_SHARDS has an empty entry");
        assertThatThrownBy(() -> ApiConfig.fromMap(Map.of("READ_MODEL_SHARDS", "postgres://a/ft")))
                .hasMessageContaining("READ_MODEL_SHARDS must list JDBC URLs");
        assertThatThrownBy(() -> ApiConfig.fromMap(Map.of("READ_MODEL_SHARDS", "jdbc:postgresql://a/ft",
                "READ_MODEL_REPLICAS", "jdbc:postgresql://a-ro/ft,jdbc:postgresql://b-ro/ft")))
                .hasMessageContaining("aligned by index");
        assertThatThrownBy(() -> ApiConfig.fromMap(Map.of("READ_MODEL_REPLICAS", "jdbc:postgresql://x/ft,jdbc:postgresql://y/ft")))
                .hasMessageContaining("at most one replica");
    }

    @Test
    void fanOutThreadsDefaultToSixtyFourAndZeroMeansOneShardAfterAnother() {
        assertThat(ApiConfig.fromMap(Map.of()).readModelShards().fanOutThreads()).isEqualTo(64)
                .isEqualTo(ShardFanOut.DEFAULT_THREADS);
        assertThat(ApiConfig.fromMap(Map.of("READ_MODEL_FANOUT_THREADS", " 8 ")).readModelShards().fanOutThreads())
                .isEqualTo(8);
        ApiConfig sequential = ApiConfig.fromMap(Map.of("READ_MODEL_FANOUT_THREADS", "0",
                "READ_MODEL_SHARDS", "jdbc:postgresql://a/ft,jdbc:postgresql://b/ft"));
        assertThat(sequential.readModelShards().fanOutThreads()).isZero();
        // Kept by the copies the tests and the local stack make.
        assertThat(sequential.readModelShards().withShards(List.of("jdbc:postgresql://c/ft")).fanOutThreads()).isZero();
        assertThatThrownBy(() -> ApiConfig.fromMap(Map.of("READ_MODEL_FANOUT_THREADS", "-1")))
                .hasMessageContaining("READ_MODEL_FANOUT_THREADS must be 0 or more");
        assertThatThrownBy(() -> ApiConfig.fromMap(Map.of("READ_MODEL_FANOUT_THREADS", "many")))
                .hasMessageContaining("READ_MODEL_FANOUT_THREADS must be an integer");
    }

    @Test
    void shardOfIsKafkasDefaultPartitionModuloTheShards() {
        // Kafka's default partitioner: murmur2 of the serialized key, made positive, mod the partition count.
        byte[] bytes = "photos/2024/cat.jpg".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int partition = org.apache.kafka.common.utils.Utils.toPositive(
                org.apache.kafka.common.utils.Utils.murmur2(bytes)) % 12;
        assertThat(ReadModelShards.partitionOf("photos/2024/cat.jpg", 12)).isEqualTo(partition);
        assertThat(ReadModelShards.shardOf("photos", "2024/cat.jpg", 12, 4)).isEqualTo(partition % 4);
        assertThat(ReadModelShards.shardOf("photos", "2024/cat.jpg", 12, 1)).isZero();
        // Many keys spread over every shard.
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) {
            seen.add(ReadModelShards.shardOf("b", "k" + i, 12, 4));
        }
        assertThat(seen).containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    private static Map<String, String> with(Map<String, String> env, String key, String value) {
        Map<String, String> copy = new java.util.HashMap<>(env);
        copy.put(key, value);
        return copy;
    }
}
