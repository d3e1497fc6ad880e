package dev.filetrail.api;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The PostgreSQL side of the query API: connection pool and Flyway migrations of the read model and keys. */
public final class ReadModelDatabase implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReadModelDatabase.class);
    /** Where the read model's migrations are. */
    public static final String READ_MODEL_MIGRATIONS = "classpath:db/readmodel";
    /** Where the API keys' migrations are. */
    public static final String KEY_MIGRATIONS = "classpath:db/keys";

    private final HikariDataSource dataSource;
    private final String schema;
    private final String keysSchema;

    /**
     * Statements a connection executes this many times run as server-side prepared statements from then on. One:
     * the API runs a handful of fixed statement texts, so each is parsed and planned once per pooled connection and
     * then only bound and executed; pgjdbc keeps them in its per-connection cache (the next constant) across
     * {@code PreparedStatement} objects, and Hikari keeps the physical connection across borrows.
     */
    static final int PREPARE_THRESHOLD = 1;
    /** Statement texts pgjdbc keeps prepared per connection (its default, stated here because the API relies on it). */
    static final int PREPARED_STATEMENT_CACHE_QUERIES = 256;

    /** Opens a pool whose connections resolve unqualified names in {@code schema}, then {@code keysSchema}. */
    public ReadModelDatabase(String url, String user, String password, String schema, String keysSchema,
                             int poolSize, String poolName) {
        this(url, user, password, schema, keysSchema, poolSize, poolName, null);
    }

    /**
     * As above, with the pool's metrics ({@code hikaricp_connections_pending}: threads waiting for a connection,
     * {@code hikaricp_connections_acquire_seconds}, …, tagged {@code pool=<poolName>}) in {@code registry} when not
     * null.
     */
    public ReadModelDatabase(String url, String user, String password, String schema, String keysSchema,
                             int poolSize, String poolName, MeterRegistry registry) {
        this.schema = schema;
        this.keysSchema = keysSchema;
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(url);
        hikari.setUsername(user);
        hikari.setPassword(password);
        hikari.setMaximumPoolSize(poolSize);
        hikari.setPoolName(poolName);
        hikari.setInitializationFailTimeout(-1);
        hikari.setConnectionTimeout(10_000);
        hikari.addDataSourceProperty("currentSchema", schema + "," + keysSchema);
        hikari.addDataSourceProperty("ApplicationName", "filetrail-" + poolName);
        hikari.addDataSourceProperty("prepareThreshold", String.valueOf(PREPARE_THRESHOLD));
        hikari.addDataSourceProperty("preparedStatementCacheQueries", String.valueOf(PREPARED_STATEMENT_CACHE_QUERIES));
        if (registry != null) {
            hikari.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
        }
        // The projector's batched INSERTs go out as multi-row statements: one round trip and one plan per 128 rows.
        hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
        this.dataSource = new HikariDataSource(hikari);
    }

    public static ReadModelDatabase forApi(ApiConfig config, String poolName) {
        return forApi(config, poolName, null);
    }

    /** The service's pool, its metrics in {@code registry}. */
    public static ReadModelDatabase forApi(ApiConfig config, String poolName, MeterRegistry registry) {
        return new ReadModelDatabase(config.databaseUrl(), config.databaseUser(), config.databasePassword(),
                config.databaseSchema(), config.keysSchema(), config.databasePoolSize(), poolName, registry);
    }

    /** Applies the read-model migrations to {@code schema} and the key migrations to the keys schema. */
    public void migrate() {
        migrate(dataSource, schema, READ_MODEL_MIGRATIONS);
        migrate(dataSource, keysSchema, KEY_MIGRATIONS);
    }

    /** Applies only the read-model migrations: a shard other than 0, which holds no API keys. */
    public void migrateReadModel() {
        migrate(dataSource, schema, READ_MODEL_MIGRATIONS);
    }

    /** Applies the migrations at {@code location} to {@code schema}, creating it when missing. */
    public static MigrateResult migrate(DataSource dataSource, String schema, String location) {
        MigrateResult result = flyway(dataSource, schema, location).migrate();
        log.info("migrations applied schema={} executed={} version={}", schema, result.migrationsExecuted,
                result.targetSchemaVersion);
        return result;
    }

    /** The versions at {@code location} not yet applied to {@code schema}, oldest first; changes nothing. */
    public static List<String> pending(DataSource dataSource, String schema, String location) {
        return Arrays.stream(flyway(dataSource, schema, location).info().pending())
                .map(MigrationInfo::getVersion).map(String::valueOf).toList();
    }

    private static Flyway flyway(DataSource dataSource, String schema, String location) {
        return Flyway.configure()
                .dataSource(dataSource)
                .schemas(schema)
                .defaultSchema(schema)
                .createSchemas(true)
                .locations(location)
                .load();
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public String schema() {
        return schema;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
