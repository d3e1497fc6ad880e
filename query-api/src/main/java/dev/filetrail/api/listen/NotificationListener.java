package dev.filetrail.api.listen;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * One PostgreSQL {@code LISTEN} connection of its own (never a pooled one: a pool would hand it to others) on a
 * daemon thread: it listens on one channel, hands each notification's payload to its {@link Handler}, checks the
 * connection now and then, and when the connection is lost reconnects with back-off and listens again. Shared by the
 * key cache ({@code api.keys}) and the projection's notices ({@code api.projection}), which differ only in what they
 * do once listening and with a payload.
 */
public final class NotificationListener implements AutoCloseable {
    private static final int POLL_MILLIS = 250;
    private static final Duration CHECK_EVERY = Duration.ofSeconds(5);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    /** What a listener does with its connection; every call comes from the listener's own thread. */
    public interface Handler {
        /**
         * {@code LISTEN} is in place on {@code connection} (autocommit): anything committed from now on is notified,
         * so this is where to catch up with what may have been missed before. {@code connection} counts from 1.
         */
        void listening(Connection connection, int backendPid, int connectionNumber) throws SQLException;

        /** One notification's payload, in commit order. */
        void received(String payload);

        /** The connection was lost or failed its check (notifications may have been missed); retried in a moment. */
        void lost(Exception cause, long retryInMillis);

        /** The listener has stopped for good ({@link #close()}). */
        void stopped();
    }

    private final String url;
    private final Properties properties;
    private final String channel;
    private final Handler handler;
    private final Thread thread;
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean running = true;
    private volatile int backendPid;

    /**
     * @param properties the JDBC connection's properties (see {@link #properties})
     * @param channel    a PostgreSQL identifier: it is written into {@code LISTEN} as it is
     */
    public NotificationListener(String url, Properties properties, String channel, String threadName,
                                Handler handler) {
        if (!channel.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("channel must be a plain lower-case identifier, got " + channel);
        }
        this.url = url;
        this.properties = properties;
        this.channel = channel;
        this.handler = handler;
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
    }

    /** The connection properties of a listening connection: login, name in {@code pg_stat_activity}, keep-alive. */
    public static Properties properties(String user, String password, String applicationName) {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("ApplicationName", applicationName);
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("connectTimeout", "10");
        return properties;
    }

    public NotificationListener start() {
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

    private void run() {
        long backoffMillis = 100;
        while (running) {
            try (Connection connection = DriverManager.getConnection(url, properties)) {
                listen(connection);
                backoffMillis = 100;
                poll(connection);
            } catch (SQLException | RuntimeException e) {
                backendPid = 0;
                if (!running) {
                    break;
                }
                handler.lost(e, backoffMillis);
                sleep(backoffMillis);
                backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF.toMillis());
            }
        }
        backendPid = 0;
        handler.stopped();
    }

    private void listen(Connection connection) throws SQLException {
        connection.setAutoCommit(true);
        int pid;
        try (Statement statement = connection.createStatement()) {
            statement.execute("LISTEN " + channel);
            try (ResultSet rs = statement.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
        }
        backendPid = pid;
        handler.listening(connection, pid, connections.incrementAndGet());
    }

    private void poll(Connection connection) throws SQLException {
        PGConnection pg = connection.unwrap(PGConnection.class);
        long nextCheck = System.nanoTime() + CHECK_EVERY.toNanos();
        while (running) {
            // Throws when the server ends the session (pg_terminate_backend, restart) or the socket breaks.
            PGNotification[] received = pg.getNotifications(POLL_MILLIS);
            if (received != null) {
                for (PGNotification notification : received) {
                    handler.received(notification.getParameter());
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
