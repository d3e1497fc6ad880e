package dev.filetrail.launcher.ops;

import dev.filetrail.api.shards.ReadModelShards;

/**
 * The keys a reconcile of one read-model shard compares: those the projector writes into shard {@code index} of
 * {@code count}, by the rule {@link ReadModelShards#shardOf(String, String, int, int)} owns.
 *
 * @param partitions the projected topics' partition count the rule reads (unused with one shard, which holds every key)
 */
public record ShardScope(int index, int count, int partitions) {
    public ShardScope {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException("no shard " + index + " of " + count);
        }
        if (count > 1 && (partitions < count || partitions % count != 0)) {
            // As the projector refuses to start: partition mod N would not name the shard the rows are in.
            throw new IllegalArgumentException("the projected topics have " + partitions + " partitions, not a "
                    + "multiple of the " + count + " shards READ_MODEL_SHARDS lists: no shard holds a fixed set of keys");
        }
    }

    /** Whether {@code bucket/key} lives in this shard. */
    public boolean holds(String bucket, String key) {
        return shardOf(bucket, key) == index;
    }

    /** The shard that holds {@code bucket/key}. */
    public int shardOf(String bucket, String key) {
        return count == 1 ? 0 : ReadModelShards.shardOf(bucket, key, partitions, count);
    }
}
