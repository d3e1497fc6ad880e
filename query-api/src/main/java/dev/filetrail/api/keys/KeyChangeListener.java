package dev.filetrail.api.keys;

import dev.filetrail.api.listen.NotificationListener;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link KeyCache} true: on a dedicated PostgreSQL connection it listens on {@code filetrail_api_keys}
 * (the key table's trigger notifies in the committing transaction) and invalidates the ids it hears of. When the
 * connection is lost, or fails a periodic check, the cache stops serving and is emptied at once, because
 * notifications may have been missed; the listener reconnects with back-off, listens again, and only then re-reads
 * the active keys whole and lets the cache serve. The connection itself is a {@link NotificationListener}.
 */
public final class KeyChangeListener implements AutoCloseable, NotificationListener.Handler {
    private static final Logger log = LoggerFactory.getLogger(KeyChangeListener.class);
    static final String CHANNEL = "filetrail_api_keys";

    private final String keysSchema;
    private final String prefix;
    private final KeyCache cache;
    private final NotificationListener listener;
    private final AtomicLong notifications = new AtomicLong();

    /** Listens for changes to {@code <keysSchema>.api_keys} in the database at {@code url}. */
    public KeyChangeListener(String url, String user, String password, String keysSchema, KeyCache cache) {
        this.keysSchema = keysSchema;
        this.prefix = keysSchema + "/";
        this.cache = cache;
        Properties properties = NotificationListener.properties(user, password, "filetrail-key-listener");
        properties.setProperty("currentSchema", keysSchema);
        this.listener = new NotificationListener(url, properties, CHANNEL, "api-key-listener", this);
    }

    public KeyChangeListener start() {
        listener.start();
        return this;
    }

    /** The PostgreSQL backend process listening now, 0 while not connected. */
    public int backendPid() {
        return listener.backendPid();
    }

    /** How many times a listening connection was established (1 after the first, +1 per reconnect). */
    public int connections() {
        return listener.connections();
    }

    /** Notifications about this schema's keys acted on so far. */
    public long notifications() {
        return notifications.get();
    }

    @Override
    public void listening(Connection connection, int backendPid, int connectionNumber) throws SQLException {
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
        log.info("api key listener listening schema={} backendPid={} connection={} keysLoaded={}", keysSchema,
                backendPid, connectionNumber, loaded);
    }

    @Override
    public void received(String payload) {
        if (!payload.startsWith(prefix)) {
            return;
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

    @Override
    public void lost(Exception cause, long retryInMillis) {
        if (cache.serving()) {
            cache.stopServing();
        }
        log.warn("api key listener lost, cache cleared and bypassed until it listens again "
                + "schema={} retryInMs={} sqlState={} reason={}", keysSchema, retryInMillis,
                cause instanceof SQLException sql ? sql.getSQLState() : null, String.valueOf(cause.getMessage()));
    }

    @Override
    public void stopped() {
        cache.stopServing();
    }

    @Override
    public void close() {
        listener.close();
    }
}
