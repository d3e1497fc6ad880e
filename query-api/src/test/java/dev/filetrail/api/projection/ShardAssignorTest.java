package dev.filetrail.api.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The group's shard-aware assignment, on made-up members and topics. */
class ShardAssignorTest {
    private static final List<String> TOPICS = List.of("a", "b");
    private static final int PARTITIONS = 6;

    private static ShardAssignor assignor(int shard, int shards) {
        ShardAssignor assignor = new ShardAssignor();
        assignor.configure(Map.of(ShardAssignor.SHARD, String.valueOf(shard), ShardAssignor.SHARDS,
                String.valueOf(shards)));
        return assignor;
    }

    private static Cluster cluster() {
        Node node = new Node(0, "localhost", 9092);
        List<PartitionInfo> partitions = new ArrayList<>();
        for (String topic : TOPICS) {
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new PartitionInfo(topic, p, node, new Node[] {node}, new Node[] {node}));
            }
        }
        return new Cluster("c", List.of(node), partitions, Set.of(), Set.of());
    }

    /** Members by id, each subscribing as the assignor of its shard would. */
    private static Map<String, List<TopicPartition>> assign(int shards, Map<String, ShardAssignor> members) {
        Map<String, ConsumerPartitionAssignor.Subscription> subscriptions = new HashMap<>();
        members.forEach((id, a) -> subscriptions.put(id, new ConsumerPartitionAssignor.Subscription(TOPICS,
                a.subscriptionUserData(new HashSet<>(TOPICS)))));
        Map<String, List<TopicPartition>> out = new HashMap<>();
        assignor(0, shards).assign(cluster(), new ConsumerPartitionAssignor.GroupSubscription(subscriptions))
                .groupAssignment().forEach((id, assignment) -> out.put(id, assignment.partitions()));
        return out;
    }

    @Test
    void eachPartitionGoesToOneMemberOfItsShardSpreadEvenly() {
        Map<String, ShardAssignor> members = new HashMap<>();
        for (int instance = 0; instance < 2; instance++) {
            for (int shard = 0; shard < 3; shard++) {
                members.put("i" + instance + "-s" + shard, assignor(shard, 3));
            }
        }
        Map<String, List<TopicPartition>> assigned = assign(3, members);
        List<TopicPartition> all = new ArrayList<>();
        assigned.forEach((id, partitions) -> {
            int shard = Integer.parseInt(id.substring(id.length() - 1));
            assertThat(partitions).as(id).allMatch(tp -> tp.partition() % 3 == shard).hasSize(2);
            all.addAll(partitions);
        });
        assertThat(all).doesNotHaveDuplicates().hasSize(TOPICS.size() * PARTITIONS);
    }

    @Test
    void moreMembersThanPartitionsLeaveSomeEmptyAndOtherCountsGetNothing() {
        Map<String, ShardAssignor> members = new HashMap<>();
        for (int instance = 0; instance < 8; instance++) {
            members.put("s0-" + instance, assignor(0, 2));
        }
        members.put("stale", assignor(1, 3));
        Map<String, List<TopicPartition>> assigned = assign(2, members);
        assertThat(assigned.get("stale")).as("a member counting 3 shards in a group of 2").isEmpty();
        List<TopicPartition> all = new ArrayList<>();
        long empty = 0;
        for (int instance = 0; instance < 8; instance++) {
            List<TopicPartition> mine = assigned.get("s0-" + instance);
            assertThat(mine).hasSizeLessThanOrEqualTo(1).allMatch(tp -> tp.partition() % 2 == 0);
            empty += mine.isEmpty() ? 1 : 0;
            all.addAll(mine);
        }
        assertThat(all).as("shard 0's six partitions, once each").doesNotHaveDuplicates().hasSize(6);
        assertThat(empty).as("eight members, six partitions").isEqualTo(2);
        assertThat(assigned).as("every member answered").hasSize(9);
    }

    @Test
    void aMemberWithoutUserDataGetsNothingAndBadSettingsAreRefused() {
        Map<String, ConsumerPartitionAssignor.Subscription> subscriptions = Map.of(
                "old", new ConsumerPartitionAssignor.Subscription(TOPICS, null),
                "new", new ConsumerPartitionAssignor.Subscription(TOPICS,
                        assignor(0, 1).subscriptionUserData(new HashSet<>(TOPICS))));
        var assignment = assignor(0, 1).assign(cluster(), new ConsumerPartitionAssignor.GroupSubscription(subscriptions))
                .groupAssignment();
        assertThat(assignment.get("old").partitions()).isEmpty();
        assertThat(assignment.get("new").partitions()).hasSize(TOPICS.size() * PARTITIONS);
        assertThatThrownBy(() -> assignor(3, 3)).hasMessageContaining("shard 3 of 3");
        ByteBuffer data = assignor(2, 5).subscriptionUserData(Set.of());
        assertThat(data.getInt(0)).isEqualTo(2);
        assertThat(data.getInt(4)).isEqualTo(5);
    }
}
