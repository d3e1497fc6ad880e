package dev.filetrail.api.shards;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.ReadModelDatabase;
import dev.filetrail.events.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read model's N PostgreSQL databases: one pool per shard (and per replica), the migrations of every shard, and
 * which shard holds a file. The shard of {@code bucket/key} is the Kafka partition the producers' default
 * partitioner gives its record key, modulo N, so each shard is exactly the rows of a fixed set of partitions and its
 * projector can keep exactly-once offsets for them in the same database. API keys live in shard 0 only.
 */
public final class ReadModelShards implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReadModelShards.class);

    private final List<ReadModelDatabase> primaries;
    /** By shard index; null where the shard has no replica. */
    private final List<ReadModelDatabase> replicas;
    private final List<ShardSettings.ShardEndpoint> endpoints;
    private volatile int partitions = -1;
    private volatile int shareLinkPartitions = -1;

    private ReadModelShards(List<ShardSettings.ShardEndpoint> endpoints, List<ReadModelDatabase> primaries,
                            List<ReadModelDatabase> replicas) {
        this.endpoints = List.copyOf(endpoints);
        this.primaries = List.copyOf(primaries);
        this.replicas = new ArrayList<>(replicas);
    }

    /**
     * Opens a pool per shard and replica. One shard is exactly the pool the service always had (same pool name,
     * same metrics); with more, the pools are named {@code <poolName>-shard<i>} and {@code …-replica}.
     */
    public static ReadModelShards open(ApiConfig config, String poolName, MeterRegistry registry) {
        List<ShardSettings.ShardEndpoint> endpoints = config.shardEndpoints();
        List<ReadModelDatabase> primaries = new ArrayList<>();
        List<ReadModelDatabase> replicas = new ArrayList<>();
        try {
            for (ShardSettings.ShardEndpoint shard : endpoints) {
                String name = endpoints.size() == 1 ? poolName : poolName + "-shard" + shard.index();
                primaries.add(new ReadModelDatabase(shard.url(), shard.user(), shard.password(),
                        config.databaseSchema(), config.keysSchema(), config.databasePoolSize(), name, registry));
                replicas.add(shard.replicaUrl() == null ? null : new ReadModelDatabase(shard.replicaUrl(),
                        shard.user(), shard.password(), config.databaseSchema(), config.keysSchema(),
                        config.databasePoolSize(), name + "-replica", registry));
            }
        } catch (RuntimeException e) {
            primaries.forEach(ReadModelDatabase::close);
            replicas.stream().filter(r -> r != null).forEach(ReadModelDatabase::close);
            throw e;
        }
        log.info("read model shards opened count={} shards=\"{}\"", endpoints.size(), endpoints);
        return new ReadModelShards(endpoints, primaries, replicas);
    }

    /**
     * Refuses a sharded configuration for a part that does not route by shard yet, rather than letting it read or
     * write only shard 0 (or {@code DATABASE_URL}) and answer wrongly.
     *
     * @param what the part, as the operator knows it ("the query API", "filetrail rebuild")
     */
    public static void requireOne(ApiConfig config, String what) {
        config.requireOneShard(what);
    }

    /** Applies the read-model migrations to every shard, and the key migrations to shard 0 (keys are not sharded). */
    public void migrate() {
        for (int i = 0; i < primaries.size(); i++) {
            if (i == 0) {
                primaries.get(0).migrate();
            } else {
                primaries.get(i).migrateReadModel();
            }
        }
    }

    /** How many shards. */
    public int count() {
        return primaries.size();
    }

    /** Shard {@code i}'s primary: every write, and every read that must see its own write. */
    public DataSource primary(int shard) {
        return primaries.get(shard).dataSource();
    }

    /** Shard {@code i}'s replica for reads that tolerate lag, or its primary when it has none. */
    public DataSource lagTolerant(int shard) {
        ReadModelDatabase replica = replicas.get(shard);
        return replica == null ? primary(shard) : replica.dataSource();
    }

    /** Whether shard {@code i} has a replica. */
    public boolean hasReplica(int shard) {
        return replicas.get(shard) != null;
    }

    /** Where the API keys live: shard 0's primary. */
    public DataSource keys() {
        return primary(0);
    }

    /** Shard {@code i}'s URLs and credentials. */
    public ShardSettings.ShardEndpoint endpoint(int shard) {
        return endpoints.get(shard);
    }

    public List<ShardSettings.ShardEndpoint> endpoints() {
        return endpoints;
    }

    /**
     * Checks the projected topics' partition counts against the shard count and remembers the count
     * {@link #shardOf} routes by.
     *
     * @param partitionCounts each topic's partition count (as {@code RequiredTopics.verify} returns them)
     * @throws IllegalStateException when a projected topic's count is not a multiple of the shard count, or the
     *                               per-file topics differ (one file's rows would land on two shards)
     */
    public void checkPartitions(Map<String, Integer> partitionCounts, Collection<String> projectedTopics) {
        int n = count();
        requireAligned(n, partitionCounts, projectedTopics);
        Integer versions = partitionCounts.get(Topics.FILE_VERSIONS.name());
        if (versions != null) {
            partitions = versions;
        }
        Integer links = partitionCounts.get(Topics.SHARE_LINKS.name());
        if (links != null) {
            shareLinkPartitions = links;
        }
        log.info("read model shards checked count={} partitions={}", n,
                projectedTopics.stream().map(t -> t + "=" + partitionCounts.get(t)).collect(Collectors.joining(",")));
    }

    /**
     * The rule every reader of a sharded read model relies on, for a caller without an opened {@code ReadModelShards}
     * (an ops command about one shard): each of {@code projectedTopics} described, its partition count a multiple
     * of {@code n}, and file-versions and files alike when {@code n > 1}.
     *
     * @throws IllegalStateException naming every topic that breaks it
     */
    public static void requireAligned(int n, Map<String, Integer> partitionCounts, Collection<String> projectedTopics) {
        List<String> problems = new ArrayList<>();
        for (String topic : projectedTopics) {
            Integer p = partitionCounts.get(topic);
            if (p == null) {
                problems.add(topic + " was not described");
            } else if (p % n != 0) {
                problems.add(topic + " has " + p + " partitions");
            }
        }
        Integer versions = partitionCounts.get(Topics.FILE_VERSIONS.name());
        Integer heads = partitionCounts.get(Topics.FILES.name());
        // One shard starts as it always did, whatever the counts.
        if (n > 1 && versions != null && heads != null && !versions.equals(heads)) {
            problems.add(Topics.FILE_VERSIONS.name() + " has " + versions + " partitions but " + Topics.FILES.name()
                    + " has " + heads + ": one file's versions and head would be on different shards");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("READ_MODEL_SHARDS lists " + n + " shards, but each projected topic's "
                    + "partition count must be a multiple of the shard count (shard = partition mod " + n + "): "
                    + String.join("; ", problems) + ". Use a shard count that divides the partition count.");
        }
    }

    /** The partition count routing uses, or -1 before {@link #checkPartitions}. */
    public int partitions() {
        return partitions;
    }

    /** The shard holding {@code bucket/key}; needs {@link #checkPartitions} first unless there is one shard. */
    public int shardOf(String bucket, String key) {
        if (count() == 1) {
            return 0;
        }
        if (partitions < 1) {
            throw new IllegalStateException("shardOf before the partition count was checked");
        }
        return shardOf(bucket, key, partitions, count());
    }

    /**
     * The shard holding share link {@code linkId}: the share-links topic is keyed by link id, so a link is projected
     * in the shard of its id's partition — found by id without asking every shard, for ids issued before the read
     * model was sharded too.
     */
    public int shardOfShareLink(String linkId) {
        if (count() == 1) {
            return 0;
        }
        if (shareLinkPartitions < 1) {
            throw new IllegalStateException("shardOfShareLink before the partition count was checked");
        }
        return shardOfPartition(partitionOf(linkId, shareLinkPartitions), count());
    }

    /** The shard of a partition: partition mod shard count. */
    public static int shardOfPartition(int partition, int shards) {
        return partition % shards;
    }

    /**
     * The shard of {@code bucket/key}: the partition Kafka's default partitioner picks for the record key the
     * producers use ({@link Topics#objectKey}, UTF-8 as the string serializer writes it), modulo {@code shards}.
     */
    public static int shardOf(String bucket, String key, int partitions, int shards) {
        return shardOfPartition(partitionOf(Topics.objectKey(bucket, key), partitions), shards);
    }

    /** Kafka's default partitioner for a keyed record: murmur2 of the key bytes, made positive, mod partitions. */
    public static int partitionOf(String recordKey, int partitions) {
        return Utils.toPositive(Utils.murmur2(recordKey.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    @Override
    public void close() {
        for (ReadModelDatabase replica : replicas) {
            if (replica != null) {
                replica.close();
            }
        }
        primaries.forEach(ReadModelDatabase::close);
    }
}
