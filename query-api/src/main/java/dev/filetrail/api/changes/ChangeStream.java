package dev.filetrail.api.changes;

import dev.filetrail.events.Json;
import io.javalin.http.sse.SseClient;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Server-Sent Events client: each page of changes is an event {@code changes} whose {@code id} is the cursor
 * after it, so a reconnecting {@code EventSource} resumes with {@code Last-Event-ID}. Woken by {@link ChangeWaits};
 * reads on a shared worker, never more than one read at a time per stream, and a wake during a read reads again.
 */
final class ChangeStream implements ChangeWaits.Wake {
    private static final Logger log = LoggerFactory.getLogger(ChangeStream.class);

    private final ChangeFeed feed;
    private final Executor worker;
    private final AtomicBoolean pending = new AtomicBoolean(true);
    private final AtomicBoolean draining = new AtomicBoolean(true);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile ChangeCursor cursor;
    private volatile SseClient client;
    private volatile ChangeWaits.Registration registration;
    private volatile ScheduledFuture<?> heartbeat;

    /** A stream from {@code start}; it reads nothing until {@link #attach} gives it its client. */
    ChangeStream(ChangeFeed feed, ChangeCursor start, Executor worker) {
        this.feed = feed;
        this.cursor = start;
        this.worker = worker;
    }

    void registered(ChangeWaits.Registration registration) {
        this.registration = registration;
    }

    /** The client is connected: keep it open, send heartbeats, and read what is already there. */
    void attach(SseClient sse, java.util.concurrent.ScheduledExecutorService scheduler, java.time.Duration every) {
        this.client = sse;
        sse.keepAlive();
        sse.onClose(this::close);
        heartbeat = scheduler.scheduleAtFixedRate(this::heartbeat, every.toMillis(), every.toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS);
        log.debug("change stream opened bucket={} prefix={}", cursor.bucket(), cursor.prefix());
        worker.execute(this::drain);
    }

    @Override
    public void changed() {
        pump();
    }

    @Override
    public void maybeChanged() {
        pump();
    }

    private void pump() {
        pending.set(true);
        if (client != null && draining.compareAndSet(false, true)) {
            worker.execute(this::drain);
        }
    }

    private void drain() {
        try {
            while (pending.getAndSet(false) && !closed.get()) {
                readAll();
            }
        } catch (ResetProblem reset) {
            send("reset", Json.writeString(java.util.Map.of("error", "reset", "detail", reset.getMessage())), null);
            close();
        } catch (RuntimeException e) {
            log.warn("change stream read failed, closing it so the client reconnects bucket={} prefix={} reason={}",
                    cursor.bucket(), cursor.prefix(), e.toString());
            close();
        } finally {
            draining.set(false);
            if (pending.get() && !closed.get() && draining.compareAndSet(false, true)) {
                worker.execute(this::drain);
            }
        }
    }

    private void readAll() {
        ChangeFeed.Read read;
        do {
            read = feed.read(cursor, 1000);
            if (!read.page().changes().isEmpty()) {
                send("changes", Json.writeString(read.page()), read.page().cursor());
            }
            cursor = read.next();
        } while (read.page().hasMore() && !closed.get());
    }

    private void heartbeat() {
        SseClient c = client;
        if (c == null || c.terminated()) {
            close();
            return;
        }
        synchronized (this) {
            c.sendComment("heartbeat");
        }
        if (c.terminated()) {
            close();
        }
    }

    private void send(String event, String data, String id) {
        SseClient c = client;
        synchronized (this) {
            if (id == null) {
                c.sendEvent(event, data);
            } else {
                c.sendEvent(event, data, id);
            }
        }
        if (c.terminated()) {
            close();
        }
    }

    /** Ends the stream: frees the waiter's place and the key's slot, stops the heartbeat, ends the response. */
    void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ChangeWaits.Registration r = registration;
        if (r != null) {
            r.close();
        }
        ScheduledFuture<?> h = heartbeat;
        if (h != null) {
            h.cancel(false);
        }
        SseClient c = client;
        if (c != null && !c.terminated()) {
            c.close();
        }
        log.debug("change stream closed bucket={} prefix={}", cursor.bucket(), cursor.prefix());
    }
}
