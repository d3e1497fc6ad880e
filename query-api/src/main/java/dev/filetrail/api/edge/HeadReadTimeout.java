package dev.filetrail.api.edge;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection whose request head has been arriving for longer than the read timeout. Jetty's idle
 * timeout only notices silence, so a client that trickles a byte now and then could hold a connection open
 * for as long as it likes; this looks at each connection once per timeout and closes it when bytes of a next
 * request came in but no request head was completed for a whole period.
 */
final class HeadReadTimeout implements Connection.Listener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HeadReadTimeout.class);

    private final Duration timeout;
    private final Map<Connection, ScheduledFuture<?>> checks = new ConcurrentHashMap<>();
    private ScheduledExecutorService scheduler;

    HeadReadTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cloudfront-edge-read-timeout");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void onOpened(Connection connection) {
        if (scheduler == null) {
            return;
        }
        Watch watch = new Watch(connection);
        long period = timeout.toMillis();
        checks.put(connection, scheduler.scheduleAtFixedRate(watch::check, period, period, TimeUnit.MILLISECONDS));
    }

    @Override
    public void onClosed(Connection connection) {
        ScheduledFuture<?> check = checks.remove(connection);
        if (check != null) {
            check.cancel(false);
        }
    }

    /** What one connection had read when a request head last completed. */
    private static final class Watch {
        private final Connection connection;
        private long messages;
        private long bytesAfterLastHead;
        private boolean partialBefore;

        Watch(Connection connection) {
            this.connection = connection;
        }

        void check() {
            long messagesNow = connection.getMessagesIn();
            long bytesNow = connection.getBytesIn();
            if (messagesNow != messages) {
                messages = messagesNow;
                bytesAfterLastHead = bytesNow;
                partialBefore = false;
                return;
            }
            boolean partial = bytesNow > bytesAfterLastHead;
            if (partial && partialBefore) {
                log.info("cloudfront edge closed a connection whose request head did not arrive in time remote={} "
                        + "bytes={}", connection.getEndPoint().getRemoteSocketAddress(), bytesNow - bytesAfterLastHead);
                connection.close();
                return;
            }
            partialBefore = partial;
        }
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        checks.clear();
    }
}
