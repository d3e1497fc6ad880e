package dev.filetrail.api.projection;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.ReadModelDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the read model from offset zero into a fresh schema while the live one keeps serving, then switches:
 * the fresh schema is loaded by the projector's own batch path with its secondary indexes and its triggers deferred
 * (built and caught up once after the load), then under the live projector's advisory lock it catches up to the live
 * offsets and renames the schemas in one transaction. The live projector resumes on the new tables, skipping what the
 * rebuild already wrote.
 * <p>
 * A sharded read model ({@code READ_MODEL_SHARDS}) is rebuilt one shard at a time ({@link #run(Target, Consumer,
 * boolean, boolean)}): shard i is exactly the records of the partitions p with p mod N == i, so its rebuild reads only
 * those, builds and switches only in shard i's database, under shard i's projector lock, and its offsets are only
 * those partitions'. The other shards keep serving untouched.
 */
public final class ProjectionRebuild {
    private static final Logger log = LoggerFactory.getLogger(ProjectionRebuild.class);
    private final ApiConfig config;

    public ProjectionRebuild(ApiConfig config) {
        this.config = config;
    }

    /** How many read-model shards there are to rebuild ({@code READ_MODEL_SHARDS}, or one). */
    public int shards() {
        return config.shardEndpoints().size();
    }

    /**
     * One shard to rebuild: its index among {@code shards}, and its primary's JDBC URL and login. The caller resolves
     * it from {@code READ_MODEL_SHARDS} (this package does not depend on the shards package, which depends on it).
     */
    public record Target(int shard, int shards, String url, String user, String password) {
        public Target {
            if (shards < 1 || shard < 0 || shard >= shards) {
                throw new IllegalArgumentException("no shard " + shard + ": READ_MODEL_SHARDS lists " + shards
                        + (shards == 1 ? " (one shard, 0)" : " (0 to " + (shards - 1) + ")"));
            }
        }

        @Override
        public String toString() {
            // Never the password.
            return "shard " + shard + " of " + shards + " at " + url;
        }
    }

    /** Progress reported while catching up. */
    public record Progress(String phase, long records, long remaining, double recordsPerSecond) {
    }

    /** What a rebuild of one shard (shard 0 when the read model is not sharded) did, or in a dry run would do. */
    public record Summary(int shard, String liveSchema, String rebuiltSchema, String retiredSchema, long records,
                          Duration took, double recordsPerSecond, boolean switched, boolean dryRun) {
    }

    public Summary run(Consumer<Progress> progress, boolean dryRun) {
        return run(progress, dryRun, false);
    }

    /**
     * @param dropRetired drop the old schema after the switch instead of keeping it (as
     *                    {@code <schema>_retired_<epoch>}) for inspection
     */
    public Summary run(Consumer<Progress> progress, boolean dryRun, boolean dropRetired) {
        if (shards() > 1) {
            throw new IllegalStateException("READ_MODEL_SHARDS lists " + shards() + " shards: rebuild them one at a "
                    + "time (run(Target, ...))");
        }
        return run(new Target(0, 1, config.databaseUrl(), config.databaseUser(), config.databasePassword()), progress,
                dryRun, dropRetired);
    }

    /**
     * Rebuilds one shard alone: reads the partitions p of the projected topics with p mod N == shard, builds beside
     * the live schema in that shard's database and switches there. With one shard, shard 0 is the whole read model.
     */
    public Summary run(Target endpoint, Consumer<Progress> progress, boolean dryRun, boolean dropRetired) {
        int shard = endpoint.shard();
        // One shard projects every partition through the consumer group, as it always did.
        Projector.ShardPartitions partitions = endpoint.shards() == 1 ? null
                : new Projector.ShardPartitions(shard, endpoint.shards());
        String live = config.databaseSchema();
        long stamp = Instant.now().getEpochSecond();
        String target = live + "_rebuild_" + stamp;
        String retired = live + "_retired_" + stamp;
        Instant started = Instant.now();
        Map<TopicPartition, Long> ends = endOffsets(partitions);
        long total = ends.values().stream().mapToLong(Long::longValue).sum();
        if (dryRun) {
            progress.accept(new Progress("dry-run", 0, total, 0));
            return new Summary(shard, live, target, retired, total, Duration.ZERO, 0, false, true);
        }
        String suffix = partitions == null ? "" : "-shard" + shard;
        ReadModelDatabase rebuilt = new ReadModelDatabase(endpoint.url(), endpoint.user(), endpoint.password(),
                target, config.keysSchema(), 4, "rebuild" + suffix);
        ReadModelDatabase liveDb = new ReadModelDatabase(endpoint.url(), endpoint.user(), endpoint.password(),
                live, config.keysSchema(), config.databasePoolSize(), "rebuild-switch" + suffix);
        long[] records = {0};
        try (rebuilt; liveDb) {
            ReadModelDatabase.migrate(rebuilt.dataSource(), target, "classpath:db/readmodel");
            List<String> deferred = deferIndexes(rebuilt.dataSource(), target);
            DeferredTriggers triggers = DeferredTriggers.defer(rebuilt.dataSource(), target);
            // Under the projector's group prefix, so the api role may run it as well as the ops role.
            try (Projector projector = new Projector(rebuilt.dataSource(), config.kafka(),
                    config.projectorGroupId() + "-rebuild-" + stamp, target, new SimpleMeterRegistry(),
                    ProjectionListener.NONE, partitions)) {
                projector.subscribe();
                catchUp(projector, ends, "catch-up", progress, records, started);
                triggers.restore(rebuilt.dataSource());
                buildIndexes(rebuilt.dataSource(), deferred, progress, records[0], started);
                carryChangeAges(rebuilt, live, target, shard);
                try (Connection connection = liveDb.dataSource().getConnection()) {
                    connection.setAutoCommit(false);
                    try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                        lock.setLong(1, ProjectionOffsets.lockKey(live));
                        lock.execute();
                    }
                    boolean liveExists = schemaExists(connection, live);
                    Map<TopicPartition, Long> liveOffsets = liveExists ? offsets(connection, live) : new HashMap<>();
                    // A shard that was once the whole read model still holds the other partitions' old offsets:
                    // only its own are caught up to (and only they are in the rebuilt schema).
                    liveOffsets.keySet().removeIf(p -> !ends.containsKey(p));
                    catchUp(projector, liveOffsets, "switch", progress, records, started);
                    try (Statement ddl = connection.createStatement()) {
                        if (liveExists) {
                            ddl.execute("ALTER SCHEMA " + live + " RENAME TO " + retired);
                        }
                        ddl.execute("ALTER SCHEMA " + target + " RENAME TO " + live);
                        if (dropRetired && liveExists) {
                            ddl.execute("DROP SCHEMA " + retired + " CASCADE");
                        }
                    }
                    connection.commit();
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("rebuild of " + live + (partitions == null ? "" : " in shard " + shard)
                    + " failed; the live read model is unchanged", e);
        }
        Duration took = Duration.between(started, Instant.now());
        double rate = records[0] / Math.max(0.001, took.toMillis() / 1000.0);
        log.info("read model rebuilt schema={} shard={} of={} records={} seconds={} recordsPerSecond={}", live, shard,
                endpoint.shards(), records[0], took.toSeconds(), Math.round(rate));
        return new Summary(shard, live, target, dropRetired ? null : retired, records[0], took, rate, true, false);
    }

    /**
     * Drops the fresh schema's secondary indexes (not the primary keys and unique indexes the writes rely on) and
     * returns their definitions: the load then maintains one index per table, and each deferred index is built once
     * from sorted input after it ({@link #buildIndexes}) instead of row by row.
     */
    static List<String> deferIndexes(DataSource dataSource, String schema) throws SQLException {
        List<String> names = new ArrayList<>();
        List<String> definitions = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement s = connection.prepareStatement("""
                    SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index x
                    JOIN pg_class c ON c.oid = x.indexrelid
                    JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = ? AND NOT x.indisunique AND NOT x.indisprimary ORDER BY c.relname""")) {
                s.setString(1, schema);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        names.add(rs.getString(1));
                        definitions.add(rs.getString(2));
                    }
                }
            }
            try (Statement ddl = connection.createStatement()) {
                for (String name : names) {
                    ddl.execute("DROP INDEX " + schema + ".\"" + name + "\"");
                }
            }
        }
        log.info("rebuild defers indexes schema={} indexes={}", schema, names);
        return definitions;
    }

    /**
     * Before the switch, outside its lock (a long statement at scale must not hold up the live projector): changes the
     * live schema projects meanwhile keep the rebuild's time, at most minutes off, and the next hourly prune catches up.
     */
    private static void carryChangeAges(ReadModelDatabase rebuilt, String live, String target, int shard)
            throws SQLException {
        try (Connection connection = rebuilt.dataSource().getConnection()) {
            RebuiltChanges.Carried carried = RebuiltChanges.carryOver(connection, live, target);
            log.info("change feed ages carried into the rebuild schema={} shard={} aged={} dropped={}", target, shard,
                    carried.aged(), carried.dropped());
        }
    }

    /** Builds the indexes {@link #deferIndexes} dropped, with memory enough to sort each in one pass. */
    static void buildIndexes(DataSource dataSource, List<String> definitions, Consumer<Progress> progress,
                             long records, Instant started) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement ddl = connection.createStatement()) {
            ddl.execute("SET maintenance_work_mem = '256MB'");
            for (String definition : definitions) {
                ddl.execute(definition);
            }
            ddl.execute("RESET maintenance_work_mem");
        }
        progress.accept(new Progress("indexes", records, 0, rate(records, started)));
    }

    private static void catchUp(Projector projector, Map<TopicPartition, Long> targets, String phase,
                                Consumer<Progress> progress, long[] records, Instant started) {
        long lastReport = 0;
        while (true) {
            // A partition not yet assigned counts as position 0: the group's first poll assigns everything.
            Map<TopicPartition, Long> positions = projector.assignment().isEmpty() ? Map.of() : projector.positions();
            long remaining = 0;
            for (Map.Entry<TopicPartition, Long> t : targets.entrySet()) {
                remaining += Math.max(0, t.getValue() - positions.getOrDefault(t.getKey(), 0L));
            }
            boolean assigned = !projector.assignment().isEmpty() || targets.values().stream().allMatch(v -> v == 0);
            if (assigned && remaining == 0) {
                // Everything up to the targets is read; the last batch may still be in its transaction.
                projector.awaitWritten();
                progress.accept(new Progress(phase, records[0], 0, rate(records[0], started)));
                return;
            }
            records[0] += projector.pollOnce(Duration.ofMillis(200));
            if (System.nanoTime() - lastReport > 1_000_000_000L) {
                lastReport = System.nanoTime();
                progress.accept(new Progress(phase, records[0], remaining, rate(records[0], started)));
            }
        }
    }

    private static double rate(long records, Instant started) {
        return records / Math.max(0.001, Duration.between(started, Instant.now()).toMillis() / 1000.0);
    }

    /** The end offsets of the partitions to rebuild: all of them, or those of one shard. */
    private Map<TopicPartition, Long> endOffsets(Projector.ShardPartitions shard) {
        try (KafkaConsumer<byte[], byte[]> consumer = config.kafka().newConsumer(
                Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            Map<TopicPartition, Long> ends = new HashMap<>();
            for (String topic : Projector.TOPICS) {
                List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10));
                if (shard != null && partitions.size() % shard.count() != 0) {
                    // As the projector refuses to start: partition mod N would not be the shard the rows are in.
                    throw new IllegalStateException("READ_MODEL_SHARDS lists " + shard.count() + " shards, but "
                            + topic + " has " + partitions.size() + " partitions: the partition count of each "
                            + "projected topic must be a multiple of the shard count");
                }
                for (PartitionInfo p : partitions) {
                    if (shard != null && !shard.takes(p.partition())) {
                        continue;
                    }
                    ends.put(new TopicPartition(topic, p.partition()), 0L);
                }
            }
            ends.putAll(consumer.endOffsets(ends.keySet(), Duration.ofSeconds(10)));
            return ends;
        }
    }

    private static boolean schemaExists(Connection connection, String schema) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(
                "SELECT 1 FROM information_schema.schemata WHERE schema_name = ?")) {
            s.setString(1, schema);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static Map<TopicPartition, Long> offsets(Connection connection, String schema) throws SQLException {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        try (PreparedStatement s = connection.prepareStatement(
                "SELECT topic, partition, next_offset FROM " + schema + ".projection_offsets");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                offsets.put(new TopicPartition(rs.getString(1), rs.getInt(2)), rs.getLong(3));
            }
        }
        return offsets;
    }
}
