package dev.filetrail.launcher.cli;

import dev.filetrail.api.ApiConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The {@code --shard I} of the commands that act on one read-model shard: the refusal of a shard that has no
 * database, naming the ones there are. Without READ_MODEL_SHARDS the one database is shard 0 (as rejects and every
 * shard-tagged output call it), so {@code --shard 0} is accepted there and means the whole read model: a per-shard
 * loop written for N shards runs unchanged with one.
 */
final class ShardOption {
    private ShardOption() {
    }

    /** @throws ParameterException (exit 2) when {@code shard} is not one of the configured shards */
    static void check(CommandSpec spec, int shard, ApiConfig config) {
        int count = config.shardEndpoints().size();
        if (shard >= 0 && shard < count) {
            return;
        }
        String which = config.readModelShards().shardUrls().isEmpty()
                ? "READ_MODEL_SHARDS is unset, so the read model is one shard (0, at DATABASE_URL)"
                : "READ_MODEL_SHARDS lists " + count + (count == 1 ? " shard (0)" : " shards (0 to " + (count - 1) + ")");
        throw new ParameterException(spec.commandLine(), "--shard " + shard + ": " + which);
    }
}
