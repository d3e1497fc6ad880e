package dev.filetrail.api.keys;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link KeyCache} true: on a dedicated PostgreSQL connection it listens on {@code filetrail_api_keys}
 * (the key table's trigger notifies in the committing transaction) and invalidates the ids it hears of. When the
 * connection is lost, or fails a periodic check, the cache stops serving and is emptied at once, because
 * notifications may have been missed; the listener reconnects with back-off, listens again, and only then re-reads
 * the active keys whole and lets the cache serve.
 */
public final class KeyChangeListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KeyChangeListener.class);
    static final String CHANNEL = "filetrail_api_keys";
    private static final int POLL_MILLIS = 250;
    private static final Duration CHECK_EVERY = Duration.ofSeconds(5);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final String url;
    private final Properties properties = new Properties();
    private final String keysSchema;
    private final KeyCache cache;
    private final Thread thread;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong notifications = new AtomicLong();
    private volatile boolean running = true;
    private volatile int backendPid;

    /** Listens for changes to {@code <keysSchema>.api_keys} in the database at {@code url}. */
    public KeyChangeListener(String url, String user, String password, String keysSchema, KeyCache cache) {
        this.url = url;
        this.keysSchema = keysSchema;
        this.cache = cache;
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("currentSchema", keysSchema);
        properties.setProperty("ApplicationName", "filetrail-key-listener");
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("connectTimeout", "10");
        this.thread = new Thread(this::run, "api-key-listener");
        thread.setDaemon(true);
    }

    public KeyChangeListener start() {
        thread.start();
        return this;
    }

    /** The PostgreSQL backend process listening now, 0 while not connected. */
    public int backendPid() {
        return backendPid;
    }

    /** How many times a listening connection was established (1 after the first, +1 per reconnect). */
    public int connections() {
        return connections.get();
    }

    /** Notifications about this schema's keys acted on so far. */
    public long notifications() {
        return notifications.get();
    }

    private void run() {
        long backoffMillis = 100;
        while (running) {
            try (Connection connection = DriverManager.getConnection(url, properties)) {
                listen(connection);
                backoffMillis = 100;
                poll(connection);
            } catch (SQLException | RuntimeException e) {
                backendPid = 0;
                if (cache.serving()) {
                    cache.stopServing();
                }
                if (!running) {
                    break;
                }
                log.warn("api key listener lost, cache cleared and bypassed until it listens again "
                        + "schema={} retryInMs={} sqlState={} reason={}", keysSchema, backoffMillis,
                        e instanceof SQLException sql ? sql.getSQLState() : null, String.valueOf(e.getMessage()));
                sleep(backoffMillis);
                backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF.toMillis());
            }
        }
        cache.stopServing();
        backendPid = 0;
    }

    private void listen(Connection connection) throws SQLException {
        connection.setAutoCommit(true);
        try (Statement statement = connection.createStatement()) {
            statement.execute("LISTEN " + CHANNEL);
            try (ResultSet rs = statement.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                backendPid = rs.getInt(1);
            }
        }
        // Listening before reading: a change committed after this read is notified, one before it is in the read.
        long token = cache.startServing();
        int loaded = 0;
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT id, name, secret_sha256, scopes, created_at, buckets, key_prefix, expires_at FROM api_keys "
                        + "WHERE revoked_at IS NULL "
                        + "ORDER BY created_at DESC LIMIT ?")) {
            select.setInt(1, cache.settings().maxSize());
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    cache.putFound(token, ApiKeys.cachedKey(rs));
                    loaded++;
                }
            }
        }
        int n = connections.incrementAndGet();
        log.info("api key listener listening schema={} backendPid={} connection={} keysLoaded={}", keysSchema,
                backendPid, n, loaded);
    }

    private void poll(Connection connection) throws SQLException {
        PGConnection pg = connection.unwrap(PGConnection.class);
        long nextCheck = System.nanoTime() + CHECK_EVERY.toNanos();
        String prefix = keysSchema + "/";
        while (running) {
            // Throws when the server ends the session (pg_terminate_backend, restart) or the socket breaks.
            PGNotification[] received = pg.getNotifications(POLL_MILLIS);
            if (received != null) {
                for (PGNotification notification : received) {
                    String payload = notification.getParameter();
                    if (!payload.startsWith(prefix)) {
                        continue;
                    }
                    String id = payload.substring(prefix.length());
                    if (id.equals("*")) {
                        cache.startServing();
                        log.info("api key table truncated, cache cleared schema={}", keysSchema);
                    } else {
                        cache.invalidate(id);
                        log.debug("api key changed, invalidated id={}", id);
                    }
                    notifications.incrementAndGet();
                }
            }
            if (System.nanoTime() - nextCheck >= 0) {
                // A connection that silently stopped answering (no FIN, no error) is found here.
                if (!connection.isValid((int) CHECK_EVERY.toSeconds())) {
                    throw new SQLException("listening connection failed its check", "08006");
                }
                nextCheck = System.nanoTime() + CHECK_EVERY.toNanos();
            }
        }
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
