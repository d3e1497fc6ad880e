package dev.filetrail.api.projection;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.listen.NotificationListener;
import dev.filetrail.events.Json;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The projection's commits, heard across processes: the projector (in the API or alone) sends, inside each batch
 * transaction, {@code pg_notify('filetrail_projection', payload)} naming the files whose version rows or head the
 * batch changed, {@code {"keys":[["bucket","key"],…]}}, or {@code {"all":true}} when the list would not fit
 * NOTIFY's 8,000-byte payload. PostgreSQL delivers it only when the transaction commits, so a subscriber that
 * hears of a file reads the new rows. This side listens on a connection of its own and tells its subscribers; when
 * the connection is lost it reconnects and, since notices may have been missed meanwhile, tells every subscriber
 * {@link Subscriber#everythingChanged()} (also after the first connect: nothing before it was heard either).
 *
 * <p>Over a sharded read model each shard's projector notifies on its own shard, so this listens on every shard, one
 * connection each. Subscribers hear {@link Subscriber#everythingChanged()} only while every shard is listened to
 * (a notice missed on any shard could leave them stale) and {@link Subscriber#listeningLost()} when any is lost;
 * calls to subscribers are serialised, as with one connection, though they come from the shards' threads.
 */
public final class ProjectionNotices implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProjectionNotices.class);
    public static final String CHANNEL = "filetrail_projection";
    /** Payloads above this many bytes become {@code {"all":true}}: NOTIFY refuses 8,000 and more. */
    static final int MAX_PAYLOAD_BYTES = 7_000;
    static final String ALL = "{\"all\":true}";

    /** Told of projected changes, on the listener's thread: it must not block (hand long work to another thread). */
    public interface Subscriber {
        /** These files' version rows or heads changed in one committed projector batch. */
        void changed(List<BucketKey> keys);

        /** Anything may have changed (a notice too large to list, or notices possibly missed): re-read everything. */
        void everythingChanged();

        /**
         * The listening connection is lost: until the next {@link #everythingChanged()} nothing is heard, so a
         * subscriber that must not act on stale state (a cache) stops here.
         */
        default void listeningLost() {
        }
    }

    /** One per shard, by index. */
    private final List<NotificationListener> listeners = new ArrayList<>();
    /** Whether shard i's listener holds its LISTEN connection now; guarded by {@code this}. */
    private final boolean[] listening;
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final Counter keyNotices;
    private final Counter allNotices;
    private final Counter reconnects;
    private final Counter unreadable;

    /** Listens in the database at {@code url}; {@code start()} connects. */
    public ProjectionNotices(String url, String user, String password, MeterRegistry registry) {
        this(List.of(new Endpoint(url, user, password)), registry);
    }

    /** A database to listen in: a read-model shard's primary. */
    public record Endpoint(String url, String user, String password) {
    }

    /** Listens in every shard's primary ({@code shards} by index); {@code start()} connects. */
    public ProjectionNotices(List<Endpoint> shards, MeterRegistry registry) {
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("no shards");
        }
        this.listening = new boolean[shards.size()];
        for (int i = 0; i < shards.size(); i++) {
            Endpoint shard = shards.get(i);
            String thread = shards.size() == 1 ? "projection-notices" : "projection-notices-shard" + i;
            listeners.add(new NotificationListener(shard.url(),
                    NotificationListener.properties(shard.user(), shard.password(), "filetrail-projection-notices"),
                    CHANNEL, thread, new ShardHandler(i)));
        }
        this.keyNotices = Counter.builder("filetrail_projection_notices").tag("kind", "keys")
                .description("projection notices received, by kind").register(registry);
        this.allNotices = Counter.builder("filetrail_projection_notices").tag("kind", "all").register(registry);
        this.unreadable = Counter.builder("filetrail_projection_notices").tag("kind", "unreadable").register(registry);
        this.reconnects = Counter.builder("filetrail_projection_notice_reconnects")
                .description("listening connections re-established after a loss (each wakes every subscriber)")
                .register(registry);
        Gauge.builder("filetrail_projection_notices_listening", this, n -> n.allListening() ? 1 : 0)
                .description("1 while the projection notice listener holds its LISTEN connection (on every shard)")
                .register(registry);
    }

    public ProjectionNotices start() {
        listeners.forEach(NotificationListener::start);
        return this;
    }

    private boolean allListening() {
        for (NotificationListener listener : listeners) {
            if (listener.backendPid() == 0) {
                return false;
            }
        }
        return true;
    }

    /** Adds a subscriber; the returned handle removes it. */
    public AutoCloseable subscribe(Subscriber subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    /** The PostgreSQL backend process listening now (shard 0's), 0 while not connected. */
    public int backendPid() {
        return backendPid(0);
    }

    /** Shard {@code shard}'s listening backend process, 0 while not connected. */
    public int backendPid(int shard) {
        return listeners.get(shard).backendPid();
    }

    /** How many times the listening connection (shard 0's) was established (1 after the first, +1 per reconnect). */
    public int connections() {
        return connections(0);
    }

    /** How many times shard {@code shard}'s listening connection was established. */
    public int connections(int shard) {
        return listeners.get(shard).connections();
    }

    /**
     * Sends the notice of one batch on {@code connection}, inside the caller's transaction (delivered at its commit,
     * dropped at its rollback); nothing when no file changed.
     */
    public static void send(Connection connection, Collection<BucketKey> keys) throws SQLException {
        if (keys.isEmpty()) {
            return;
        }
        try (PreparedStatement notify = connection.prepareStatement("SELECT pg_notify('" + CHANNEL + "', ?)")) {
            notify.setString(1, payload(keys));
            notify.execute();
        }
    }

    /** The payload naming {@code keys}, or {@code {"all":true}} when it would exceed {@link #MAX_PAYLOAD_BYTES}. */
    static String payload(Collection<BucketKey> keys) {
        // Two bytes per character at least in JSON of ASCII, more for others: skip the writing when hopeless.
        long estimate = 0;
        for (BucketKey k : keys) {
            estimate += k.bucket().length() + k.key().length() + 8;
            if (estimate > MAX_PAYLOAD_BYTES) {
                return ALL;
            }
        }
        var node = Json.MAPPER.createObjectNode();
        var array = node.putArray("keys");
        for (BucketKey k : keys) {
            array.addArray().add(k.bucket()).add(k.key());
        }
        // Jackson escapes U+0000 and other control characters, so the text PostgreSQL carries holds none.
        String json = node.toString();
        return json.getBytes(StandardCharsets.UTF_8).length > MAX_PAYLOAD_BYTES ? ALL : json;
    }

    /** The files a payload names; null for {@code {"all":true}} (or anything this side cannot read). */
    static List<BucketKey> parse(String payload) {
        try {
            JsonNode node = Json.MAPPER.readTree(payload);
            JsonNode keys = node.get("keys");
            if (node.path("all").asBoolean(false) || keys == null || !keys.isArray()) {
                return null;
            }
            List<BucketKey> parsed = new ArrayList<>(keys.size());
            for (JsonNode pair : keys) {
                if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual() || !pair.get(1).isTextual()) {
                    return null;
                }
                parsed.add(new BucketKey(pair.get(0).asText(), pair.get(1).asText()));
            }
            return parsed;
        } catch (Exception e) {
            return null;
        }
    }

    /** Shard {@code shard}'s listener's calls, serialised on this object. */
    private final class ShardHandler implements NotificationListener.Handler {
        private final int shard;

        ShardHandler(int shard) {
            this.shard = shard;
        }

        @Override
        public void listening(Connection connection, int backendPid, int connectionNumber) {
            synchronized (ProjectionNotices.this) {
                if (connectionNumber > 1) {
                    reconnects.increment();
                }
                listening[shard] = true;
                log.info("projection notices listening shard={} backendPid={} connection={}", shard, backendPid,
                        connectionNumber);
                // Heard from every shard from here on: only then can a subscriber trust it misses nothing.
                if (everyShardListening()) {
                    everythingChanged();
                }
            }
        }

        @Override
        public void received(String payload) {
            synchronized (ProjectionNotices.this) {
                ProjectionNotices.this.received(payload);
            }
        }

        @Override
        public void lost(Exception cause, long retryInMillis) {
            synchronized (ProjectionNotices.this) {
                listening[shard] = false;
                for (Subscriber subscriber : subscribers) {
                    try {
                        subscriber.listeningLost();
                    } catch (RuntimeException e) {
                        log.error("projection notice subscriber failed subscriber={}", subscriber, e);
                    }
                }
            }
            log.warn("projection notice listener lost, subscribers are told everything changed once it listens again "
                    + "shard={} retryInMs={} sqlState={} reason={}", shard, retryInMillis,
                    cause instanceof SQLException sql ? sql.getSQLState() : null, String.valueOf(cause.getMessage()));
        }

        @Override
        public void stopped() {
            log.info("projection notice listener stopped shard={}", shard);
        }
    }

    private boolean everyShardListening() {
        for (boolean shard : listening) {
            if (!shard) {
                return false;
            }
        }
        return true;
    }

    private void received(String payload) {
        List<BucketKey> keys = parse(payload);
        if (keys == null) {
            if (ALL.equals(payload)) {
                allNotices.increment();
            } else {
                unreadable.increment();
                log.warn("projection notice unreadable, treated as everything changed payloadBytes={}",
                        payload.length());
            }
            // While a shard is not listened to, subscribers stay as listeningLost left them until it is again.
            if (everyShardListening()) {
                everythingChanged();
            }
            return;
        }
        keyNotices.increment();
        for (Subscriber subscriber : subscribers) {
            try {
                subscriber.changed(keys);
            } catch (RuntimeException e) {
                log.error("projection notice subscriber failed subscriber={}", subscriber, e);
            }
        }
    }

    private void everythingChanged() {
        for (Subscriber subscriber : subscribers) {
            try {
                subscriber.everythingChanged();
            } catch (RuntimeException e) {
                log.error("projection notice subscriber failed subscriber={}", subscriber, e);
            }
        }
    }

    @Override
    public void close() {
        listeners.forEach(NotificationListener::close);
    }
}
