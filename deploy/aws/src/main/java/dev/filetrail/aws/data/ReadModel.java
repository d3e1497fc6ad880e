package dev.filetrail.aws.data;

import dev.filetrail.aws.StackConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.services.ec2.IConnectable;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ecs.Secret;
import software.amazon.awscdk.services.kms.IKey;
import software.constructs.Construct;

/**
 * The query-api read model's shards ({@code readModelShards} Aurora clusters, or one existing database) and how a
 * service that reads it is wired: the variables and the per-shard secrets query-api's configuration reads.
 */
public final class ReadModel {
    private final List<Database> shards;

    /**
     * Creates the shards in {@code scope}: shard 0 at {@code Database} (the construct path, and so the logical ids, of
     * the single read model before shards), shard i at {@code DatabaseShard<i>}.
     */
    public ReadModel(Construct scope, StackConfig config, IVpc vpc, Optional<IKey> key) {
        shards = IntStream.range(0, config.database().shards())
                .mapToObj(i -> new Database(scope, i == 0 ? "Database" : "DatabaseShard" + i, config, i, vpc, key))
                .toList();
    }

    /** Every shard, in shard order. */
    public List<Database> shards() {
        return shards;
    }

    /** Shard 0, which also holds the API keys. */
    public Database first() {
        return shards.get(0);
    }

    /**
     * {@code DATABASE_URL} (shard 0: images from before shards read only it), {@code READ_MODEL_SHARDS} (every
     * writer, in shard order) and {@code READ_MODEL_REPLICAS} (each shard's reader endpoint, aligned by index; unset
     * for an existing database).
     */
    public Map<String, String> environment() {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("DATABASE_URL", first().jdbcUrl());
        environment.put("READ_MODEL_SHARDS", Fn.join(",", shards.stream().map(Database::jdbcUrl).toList()));
        if (shards.stream().allMatch(shard -> shard.readerJdbcUrl().isPresent())) {
            environment.put("READ_MODEL_REPLICAS", Fn.join(",",
                    shards.stream().map(shard -> shard.readerJdbcUrl().orElseThrow()).toList()));
        }
        return environment;
    }

    /**
     * Injected by ECS at start from Secrets Manager (the values never appear in the task definition):
     * {@code DATABASE_USER}/{@code DATABASE_PASSWORD} from shard 0's secret, and for every further shard i its own
     * cluster's secret as {@code DATABASE_USER_<i>}/{@code DATABASE_PASSWORD_<i>}.
     */
    public Map<String, Secret> secrets() {
        Map<String, Secret> secrets = new LinkedHashMap<>();
        for (Database shard : shards) {
            String suffix = shard.shard() == 0 ? "" : "_" + shard.shard();
            secrets.put("DATABASE_USER" + suffix, Secret.fromSecretsManager(shard.credentials(), "username"));
            secrets.put("DATABASE_PASSWORD" + suffix, Secret.fromSecretsManager(shard.credentials(), "password"));
        }
        return secrets;
    }

    /** Lets {@code client} reach every shard's PostgreSQL port. */
    public void allowFrom(IConnectable client, String description) {
        shards.forEach(shard -> shard.allowFrom(client, description));
    }
}
