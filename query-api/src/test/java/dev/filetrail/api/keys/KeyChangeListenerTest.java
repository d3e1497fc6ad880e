package dev.filetrail.api.keys;

import static dev.filetrail.api.ApiFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.api.ReadModelDatabase;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.postgres.PostgresServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two API instances' key checks (each its own pool, cache and listener) on one real PostgreSQL database: what one
 * instance, an ops process or plain SQL changes is seen by the other's cache, and a lost listener empties it.
 */
@ExtendWith(RealParts.class)
class KeyChangeListenerTest {
    private static final String SCHEMA = "filetrail";
    private static final String KEYS_SCHEMA = "filetrail_keys";
    private static String url;
    private static ReadModelDatabase database;
    private final List<Instance> instances = new ArrayList<>();

    @BeforeAll
    static void database(PostgresServer postgres) {
        url = postgres.createDatabase("key_cache");
        database = new ReadModelDatabase(url, PostgresServer.USER, PostgresServer.PASSWORD, SCHEMA, KEYS_SCHEMA, 2,
                "key-cache-test");
        ReadModelDatabase.migrate(database.dataSource(), KEYS_SCHEMA, "classpath:db/keys");
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @AfterEach
    void stopInstances() {
        instances.forEach(Instance::close);
    }

    /** One API instance's key check: its own pool (counting the connections verify takes), cache and listener. */
    private final class Instance implements AutoCloseable {
        final ReadModelDatabase pool = new ReadModelDatabase(url, PostgresServer.USER, PostgresServer.PASSWORD,
                SCHEMA, KEYS_SCHEMA, 2, "key-cache-instance");
        final CountingDataSource counted = new CountingDataSource(pool.dataSource());
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final KeyCache cache;
        final KeyChangeListener listener;
        final ApiKeys keys;

        Instance(KeyCache.Settings settings, String listenerUrl) {
            cache = new KeyCache(settings, registry);
            listener = new KeyChangeListener(listenerUrl, PostgresServer.USER, PostgresServer.PASSWORD, KEYS_SCHEMA,
                    cache).start();
            keys = new ApiKeys(counted, cache);
            instances.add(this);
        }

        long invalidations() {
            return listener.notifications();
        }

        void awaitInvalidationAfter(long before) {
            await("the instance to hear of the change", () -> invalidations() > before);
        }

        /** Creates a key through {@code creator} and waits until this instance has heard of the creation. */
        ApiKeys.CreatedKey heardOf(ApiKeys creator, String name, Scope... scopes) {
            long before = invalidations();
            ApiKeys.CreatedKey key = creator.create(name, EnumSet.copyOf(List.of(scopes)));
            awaitInvalidationAfter(before);
            return key;
        }

        @Override
        public void close() {
            listener.close();
            pool.close();
        }
    }

    private Instance listening(KeyCache.Settings settings) {
        Instance instance = new Instance(settings, url);
        await("the listener to listen", () -> instance.listener.connections() > 0 && instance.cache.serving());
        return instance;
    }

    @Test
    void revokeInOneInstanceIsRefusedOnTheNextRequestInTheOther() {
        Instance a = listening(KeyCache.Settings.DEFAULT);
        Instance b = listening(KeyCache.Settings.DEFAULT);
        ApiKeys.CreatedKey key = b.heardOf(a.keys, "revoked-elsewhere", Scope.READ);
        assertThat(b.keys.verify(key.plaintext())).isPresent();
        int connections = b.counted.connections();
        assertThat(b.keys.verify(key.plaintext())).isPresent();
        assertThat(b.counted.connections()).as("served from b's cache, no database round trip").isEqualTo(connections);

        long before = b.invalidations();
        a.keys.revoke(key.id());
        assertThat(a.keys.verify(key.plaintext())).as("the revoking instance at once").isEmpty();
        b.awaitInvalidationAfter(before);

        assertThat(b.keys.verify(key.plaintext())).isEmpty();
    }

    @Test
    void aRevocationByAnotherProcessWithoutCacheReachesTheCache() throws Exception {
        Instance b = listening(KeyCache.Settings.DEFAULT);
        ApiKeys ops = new ApiKeys(database.dataSource());
        ApiKeys.CreatedKey key = b.heardOf(ops, "ops-revoked", Scope.ADMIN);
        assertThat(b.keys.verify(key.plaintext())).isPresent();

        long before = b.invalidations();
        ops.revoke(key.id());
        b.awaitInvalidationAfter(before);

        assertThat(b.keys.verify(key.plaintext())).isEmpty();
    }

    @Test
    void aScopeChangeInSqlIsSeenOnTheNextRequest() throws Exception {
        Instance b = listening(KeyCache.Settings.DEFAULT);
        ApiKeys.CreatedKey key = b.heardOf(b.keys, "rescoped", Scope.READ, Scope.SHARE);
        assertThat(b.keys.verify(key.plaintext()).orElseThrow().scopes()).contains(Scope.SHARE);
        assertThat(b.keys.verify(key.plaintext())).isPresent();

        long before = b.invalidations();
        sql("UPDATE " + KEYS_SCHEMA + ".api_keys SET scopes = '{read}' WHERE id = '" + key.id() + "'");
        b.awaitInvalidationAfter(before);

        assertThat(b.keys.verify(key.plaintext()).orElseThrow().scopes()).containsExactly(Scope.READ);
    }

    @Test
    void aFloodOfUnknownIdsReadsTheDatabaseOncePerIdWithinTheTtl() {
        Instance b = listening(new KeyCache.Settings(1_000, Duration.ofHours(1)));
        int ids = 200;
        int before = b.counted.connections();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < ids; i++) {
                assertThat(b.keys.verify("ftk_flood" + i + "_" + ApiKeys.randomToken(32))).isEmpty();
            }
        }
        assertThat(b.counted.connections() - before).isEqualTo(ids);
        assertThat(b.cache.unknownSize()).isEqualTo(ids);
    }

    @Test
    void aKeyCreatedAfterAMissWorksAtOnce() throws Exception {
        Instance b = listening(new KeyCache.Settings(1_000, Duration.ofHours(1)));
        String secret = ApiKeys.randomToken(32);
        String plaintext = "ftk_latecomer_" + secret;
        assertThat(b.keys.verify(plaintext)).isEmpty();
        int connections = b.counted.connections();
        assertThat(b.keys.verify(plaintext)).isEmpty();
        assertThat(b.counted.connections()).as("the miss is remembered").isEqualTo(connections);

        long before = b.invalidations();
        sql("INSERT INTO " + KEYS_SCHEMA + ".api_keys (id, name, secret_sha256, scopes) VALUES ('latecomer', "
                + "'latecomer', '" + ApiKeys.sha256(secret) + "', '{read}')");
        b.awaitInvalidationAfter(before);

        assertThat(b.keys.verify(plaintext)).isPresent();
    }

    @Test
    void aDroppedListenerIsDetectedAndTheCacheIsClearedSoAMissedRevocationTakesEffect() throws Exception {
        Instance b = listening(KeyCache.Settings.DEFAULT);
        ApiKeys.CreatedKey key = b.heardOf(b.keys, "missed-revoke", Scope.READ);
        assertThat(b.keys.verify(key.plaintext())).isPresent();
        // A revocation whose notification is lost: replica mode fires no triggers.
        try (Connection c = DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
             Statement s = c.createStatement()) {
            s.execute("SET session_replication_role = replica");
            s.executeUpdate("UPDATE " + KEYS_SCHEMA + ".api_keys SET revoked_at = now() WHERE id = '" + key.id() + "'");
        }
        assertThat(b.keys.verify(key.plaintext())).as("stale: the cache never heard of it").isPresent();
        int pid = b.listener.backendPid();

        boolean terminated;
        try (Connection c = DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
             PreparedStatement s = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
            s.setInt(1, pid);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                terminated = rs.getBoolean(1);
            }
        }
        assertThat(terminated).isTrue();
        await("the listener to reconnect", () -> b.listener.connections() >= 2 && b.cache.serving());

        assertThat(b.listener.backendPid()).isNotEqualTo(pid).isPositive();
        assertThat(b.keys.verify(key.plaintext())).isEmpty();
        assertThat(b.registry.get("filetrail_api_key_cache_invalidations").tag("cause", "reset").counter().count())
                .as("cleared when lost, and again when listening").isEqualTo(3);
    }

    @Test
    void withoutAListenerEveryCheckGoesToTheDatabase() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Instance b = new Instance(KeyCache.Settings.DEFAULT,
                "jdbc:postgresql://127.0.0.1:" + closedPort + "/nowhere");
        ApiKeys.CreatedKey key = b.keys.create("uncached", EnumSet.of(Scope.READ));
        int before = b.counted.connections();
        for (int i = 0; i < 5; i++) {
            assertThat(b.keys.verify(key.plaintext())).isPresent();
        }
        assertThat(b.cache.serving()).isFalse();
        assertThat(b.cache.size()).isZero();
        assertThat(b.counted.connections() - before).isEqualTo(5);
    }

    @Test
    void theCacheStaysWithinItsSizeAndEveryKeyStillVerifies() {
        Instance b = listening(new KeyCache.Settings(3, Duration.ofSeconds(10)));
        List<String> plaintexts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            plaintexts.add(b.keys.create("bounded-" + i, EnumSet.of(Scope.READ)).plaintext());
        }
        for (int round = 0; round < 2; round++) {
            for (String plaintext : plaintexts) {
                assertThat(b.keys.verify(plaintext)).isPresent();
                assertThat(b.cache.size()).isLessThanOrEqualTo(3);
            }
        }
    }

    private static void sql(String statement) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
             Statement s = c.createStatement()) {
            s.executeUpdate(statement);
        }
    }

    /** The real pool, counting the connections taken from it: each is one database round trip of a check. */
    private static final class CountingDataSource implements DataSource {
        private final DataSource real;
        private final AtomicInteger connections = new AtomicInteger();

        CountingDataSource(DataSource real) {
            this.real = real;
        }

        int connections() {
            return connections.get();
        }

        @Override
        public Connection getConnection() throws SQLException {
            connections.incrementAndGet();
            return real.getConnection();
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            connections.incrementAndGet();
            return real.getConnection(username, password);
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return real.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            real.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            real.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return real.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return real.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return real.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) throws SQLException {
            return real.isWrapperFor(iface);
        }
    }
}
