package dev.filetrail.api.changes;

import dev.filetrail.api.http.ApiProblem;
import dev.filetrail.api.projection.ProjectionNotices;
import dev.filetrail.api.shards.ShardFanOut;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change feed of issue 22: cursors over the {@code changes} table, waiters woken by the projection's notices, a
 * shared scheduler (long-poll timeouts, heartbeats, pruning) and a small worker pool for the reads a wake-up causes.
 * Holds no thread per client.
 */
public final class ChangeFeed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);

    private final ChangeLog changes;
    private final CursorCodec codec;
    private final FeedTopic topic;
    private final ChangeFeedSettings settings;
    private final ChangeWaits waits;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService worker;
    private final AutoCloseable subscription;

    /** A page as answered, and the cursor to continue from. */
    record Read(ChangeViews.ChangePage page, ChangeCursor next) {
    }

    public ChangeFeed(DataSource dataSource, ProjectionNotices notices, FeedTopic topic, ChangeFeedSettings settings,
                      MeterRegistry registry) {
        this(List.of(dataSource), ShardFanOut.sequential(), notices, topic, settings, registry);
    }

    /**
     * Over a sharded read model: {@code shards} are every shard's primary, by index, read at once through
     * {@code fanOut}; partition p's changes are read from shard p mod N, and {@code notices} must listen on every
     * shard.
     */
    public ChangeFeed(List<DataSource> shards, ShardFanOut fanOut, ProjectionNotices notices, FeedTopic topic,
                      ChangeFeedSettings settings, MeterRegistry registry) {
        this.changes = new ChangeLog(shards, fanOut);
        this.codec = new CursorCodec(settings.cursorKeys());
        this.topic = topic;
        this.settings = settings;
        this.waits = new ChangeWaits(settings.waitsPerKey(), registry);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("change-feed-timer"));
        this.worker = Executors.newFixedThreadPool(2, daemon("change-feed-reader"));
        this.subscription = notices.subscribe(waits);
        long hour = TimeUnit.HOURS.toMillis(1);
        scheduler.scheduleWithFixedDelay(() -> worker.execute(this::prune), hour / 60, hour, TimeUnit.MILLISECONDS);
        log.info("change feed ready topicId={} partitions={} retention={} waitsPerKey={}", topic.topicId(),
                topic.partitions(), settings.retention(), settings.waitsPerKey());
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    ChangeFeedSettings settings() {
        return settings;
    }

    CursorCodec codec() {
        return codec;
    }

    ChangeWaits waits() {
        return waits;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    ExecutorService worker() {
        return worker;
    }

    /** The routes, on the API's public port. */
    public ChangeRoutes routes(dev.filetrail.api.http.Authorizer authorizer) {
        return new ChangeRoutes(this, authorizer, null);
    }

    /**
     * The routes, answering 503 with {@code reason} when it is not null: an API outside the local stack whose cursor
     * key is the public local default serves no cursor anyone could forge (as URL signing without its key does, it
     * starts and says why rather than crash-looping).
     */
    public ChangeRoutes routes(dev.filetrail.api.http.Authorizer authorizer, String reason) {
        return new ChangeRoutes(this, authorizer, reason);
    }

    /** The start of the feed (no cursor): every change still kept, a full sync. */
    ChangeCursor beginning(String bucket, String prefix) {
        return ChangeCursor.of(bucket, prefix, topic, new long[topic.partitions()]);
    }

    /** Now: what a client that has the listing already continues from. */
    ChangeCursor latest(String bucket, String prefix) {
        return ChangeCursor.of(bucket, prefix, topic, changes.latest(topic.partitions()));
    }

    /**
     * The cursor a client sent, checked: 400 when it is not ours or belongs to another bucket or prefix; 409 reset
     * when it is from another topic's contents or partitioning, or older than the retention.
     */
    ChangeCursor resume(String bucket, String prefix, String text) {
        ChangeCursor cursor = codec.decode(text);
        if (!cursor.bucket().equals(bucket)) {
            throw ApiProblem.badRequest("cursor belongs to bucket '" + cursor.bucket() + "', not '" + bucket + "'");
        }
        if (prefix != null && !cursor.prefix().equals(prefix)) {
            throw ApiProblem.badRequest("cursor belongs to prefix '" + cursor.prefix() + "', not '" + prefix
                    + "': leave prefix out, or start over without a cursor");
        }
        if (!cursor.topicId().equals(topic.topicId()) || cursor.next().size() != topic.partitions()) {
            throw new ResetProblem("the change topic was recreated or repartitioned since this cursor was issued");
        }
        if (cursor.issuedAt().isBefore(Instant.now().minus(settings.retention()))) {
            throw new ResetProblem("the cursor is older than the feed's retention (" + settings.retention() + ")");
        }
        return cursor;
    }

    /** Up to {@code limit} changes after {@code cursor}; 409 reset when the cursor is ahead of the read model. */
    Read read(ChangeCursor cursor, int limit) {
        ChangeLog.Page page = changes.read(cursor.bucket(), cursor.prefix(), cursor.offsets(), limit);
        requireNotAhead(cursor, page);
        ChangeCursor next = ChangeCursor.of(cursor.bucket(), cursor.prefix(), topic, page.next());
        List<ChangeViews.ChangeView> views = page.rows().stream().map(ChangeViews::view).toList();
        return new Read(new ChangeViews.ChangePage(cursor.bucket(), cursor.prefix(), views, codec.encode(next),
                page.hasMore()), next);
    }

    /** Whether anything under the cursor's prefix changed after it. */
    boolean anyAfter(ChangeCursor cursor) {
        ChangeLog.Page page = changes.read(cursor.bucket(), cursor.prefix(), cursor.offsets(), 1);
        requireNotAhead(cursor, page);
        return !page.rows().isEmpty();
    }

    /**
     * A cursor past what the read model holds was issued against other topic contents (a topic recreated and
     * refilled, a database restored from a backup): nothing it says can be trusted.
     */
    private static void requireNotAhead(ChangeCursor cursor, ChangeLog.Page page) {
        long[] after = cursor.offsets();
        for (int p = 0; p < after.length; p++) {
            if (after[p] > page.projected()[p]) {
                throw new ResetProblem("the cursor is ahead of the read model (partition " + p + " offset " + after[p]
                        + ", projected " + page.projected()[p] + "): the topic or the read model was replaced");
            }
        }
    }

    /** The {@code backoff} hint: seconds before the next long-poll while this process holds many waiters. */
    Integer backoff() {
        return waits.waiting() > settings.backoffAbove() ? 60 : null;
    }

    private void prune() {
        Instant horizon = Instant.now().minus(settings.retention());
        try {
            int total = 0;
            int deleted;
            do {
                deleted = changes.prune(horizon, 10_000);
                total += deleted;
            } while (deleted >= 10_000);
            if (total > 0) {
                log.info("change feed pruned superseded changes before={} rows={}", horizon, total);
            }
        } catch (RuntimeException e) {
            log.warn("change feed pruning failed, tried again in an hour reason={}", e.toString());
        }
    }

    @Override
    public void close() {
        try {
            subscription.close();
        } catch (Exception e) {
            log.debug("unsubscribe failed reason={}", e.toString());
        }
        scheduler.shutdownNow();
        worker.shutdownNow();
    }
}
