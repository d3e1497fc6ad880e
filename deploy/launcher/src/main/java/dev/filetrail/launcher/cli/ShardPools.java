package dev.filetrail.launcher.cli;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.ReadModelDatabase;
import dev.filetrail.api.shards.ShardSettings;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * A small pool per read-model shard for one operator command: shard i at READ_MODEL_SHARDS' i-th URL with its
 * credentials, or the one database at DATABASE_URL. Commands open a couple of connections, not the service's pool.
 */
final class ShardPools implements AutoCloseable {
    private final List<ReadModelDatabase> pools;

    private ShardPools(List<ReadModelDatabase> pools) {
        this.pools = List.copyOf(pools);
    }

    /** Opens {@code poolSize} connections at most per shard, named {@code <name>} (one shard) or {@code <name>-shard<i>}. */
    static ShardPools open(ApiConfig config, int poolSize, String name) {
        List<ShardSettings.ShardEndpoint> endpoints = config.shardEndpoints();
        List<ReadModelDatabase> pools = new ArrayList<>();
        try {
            for (ShardSettings.ShardEndpoint shard : endpoints) {
                pools.add(new ReadModelDatabase(shard.url(), shard.user(), shard.password(), config.databaseSchema(),
                        config.keysSchema(), poolSize, endpoints.size() == 1 ? name : name + "-shard" + shard.index()));
            }
        } catch (RuntimeException e) {
            pools.forEach(ReadModelDatabase::close);
            throw e;
        }
        return new ShardPools(pools);
    }

    /**
     * Opens shard {@code index}'s pool alone, named {@code <name>-shard<i>} ({@code <name>} with one shard): a command
     * about one shard connects to no other, so one such command per shard can run side by side at 256 shards.
     */
    static ReadModelDatabase openShard(ApiConfig config, int index, int poolSize, String name) {
        List<ShardSettings.ShardEndpoint> endpoints = config.shardEndpoints();
        ShardSettings.ShardEndpoint shard = endpoints.get(index);
        return new ReadModelDatabase(shard.url(), shard.user(), shard.password(), config.databaseSchema(),
                config.keysSchema(), poolSize, endpoints.size() == 1 ? name : name + "-shard" + index);
    }

    int count() {
        return pools.size();
    }

    DataSource shard(int i) {
        return pools.get(i).dataSource();
    }

    List<DataSource> all() {
        return pools.stream().map(ReadModelDatabase::dataSource).toList();
    }

    @Override
    public void close() {
        pools.forEach(ReadModelDatabase::close);
    }
}
