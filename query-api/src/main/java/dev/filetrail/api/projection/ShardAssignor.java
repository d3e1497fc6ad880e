package dev.filetrail.api.projection;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Configurable;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The projector group's assignor for a sharded read model: every member says in its subscription which shard it writes
 * (of how many), and each partition p goes to one member of shard p mod N, round-robin among them. So every instance
 * runs a projector per shard, and the instances share each shard's partitions instead of each reading all of them.
 */
public final class ShardAssignor implements ConsumerPartitionAssignor, Configurable {
    private static final Logger log = LoggerFactory.getLogger(ShardAssignor.class);
    /** Consumer configuration: the shard this member writes. */
    public static final String SHARD = "filetrail.projector.shard";
    /** Consumer configuration: how many shards the read model has. */
    public static final String SHARDS = "filetrail.projector.shards";

    private int shard = -1;
    private int shards = -1;

    @Override
    public void configure(Map<String, ?> configs) {
        shard = Integer.parseInt(String.valueOf(configs.get(SHARD)));
        shards = Integer.parseInt(String.valueOf(configs.get(SHARDS)));
        if (shards < 1 || shard < 0 || shard >= shards) {
            throw new IllegalArgumentException("shard " + shard + " of " + shards);
        }
    }

    @Override
    public ByteBuffer subscriptionUserData(java.util.Set<String> topics) {
        return ByteBuffer.allocate(8).putInt(0, shard).putInt(4, shards);
    }

    @Override
    public GroupAssignment assign(Cluster metadata, GroupSubscription groupSubscription) {
        Map<String, Subscription> members = groupSubscription.groupSubscription();
        // Members by the shard they write; one that counts shards differently (a deployment half changed) gets
        // nothing rather than partitions another member also holds.
        Map<Integer, List<String>> byShard = new TreeMap<>();
        Map<String, List<TopicPartition>> assigned = new HashMap<>();
        TreeSet<String> topics = new TreeSet<>();
        for (Map.Entry<String, Subscription> member : members.entrySet()) {
            assigned.put(member.getKey(), new ArrayList<>());
            topics.addAll(member.getValue().topics());
            ByteBuffer data = member.getValue().userData();
            if (data == null || data.remaining() < 8 || data.getInt(data.position() + 4) != shards) {
                log.warn("projector group member left without partitions member={} reason=\"it writes another shard"
                        + " count than {}\"", member.getKey(), shards);
                continue;
            }
            byShard.computeIfAbsent(data.getInt(data.position()), s -> new ArrayList<>()).add(member.getKey());
        }
        byShard.values().forEach(list -> list.sort(Comparator.naturalOrder()));
        Map<Integer, Integer> next = new HashMap<>();
        for (String topic : topics) {
            Integer count = metadata.partitionCountForTopic(topic);
            for (int p = 0; count != null && p < count; p++) {
                List<String> writers = byShard.get(p % shards);
                if (writers == null) {
                    continue;
                }
                int i = next.merge(p % shards, 1, Integer::sum) - 1;
                assigned.get(writers.get(i % writers.size())).add(new TopicPartition(topic, p));
            }
        }
        Map<String, Assignment> out = new HashMap<>();
        assigned.forEach((member, partitions) -> out.put(member, new Assignment(partitions)));
        return new GroupAssignment(out);
    }

    @Override
    public String name() {
        return "filetrail-read-model-shard";
    }
}
