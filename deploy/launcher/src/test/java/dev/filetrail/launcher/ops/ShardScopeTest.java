package dev.filetrail.launcher.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.api.shards.ReadModelShards;
import org.junit.jupiter.api.Test;

class ShardScopeTest {

    @Test
    void holdsExactlyTheKeysTheShardRuleGivesIt() {
        int[] held = new int[4];
        for (int i = 0; i < 400; i++) {
            String key = "k/" + i;
            int owner = ReadModelShards.shardOf("b", key, 16, 4);
            for (int shard = 0; shard < 4; shard++) {
                assertThat(new ShardScope(shard, 4, 16).holds("b", key)).as(key + " in shard " + shard)
                        .isEqualTo(shard == owner);
            }
            held[owner]++;
        }
        assertThat(held).as("every shard holds some of 400 keys").doesNotContain(0);
    }

    @Test
    void oneShardHoldsEveryKeyWithoutAPartitionCount() {
        assertThat(new ShardScope(0, 1, 0).holds("b", "anything")).isTrue();
    }

    @Test
    void refusesAShardOutOfRangeAndPartitionsTheShardsDoNotDivide() {
        assertThatThrownBy(() -> new ShardScope(3, 3, 3)).hasMessageContaining("no shard 3 of 3");
        assertThatThrownBy(() -> new ShardScope(0, 2, 3)).hasMessageContaining("3 partitions, not a multiple of the 2");
    }
}
