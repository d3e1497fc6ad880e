package dev.filetrail.api.changes;

import static io.javalin.apibuilder.ApiBuilder.get;
import static io.javalin.apibuilder.ApiBuilder.path;

import dev.filetrail.api.http.ApiProblem;
import dev.filetrail.api.http.Authorizer;
import dev.filetrail.api.http.JsonBody;
import dev.filetrail.api.http.Requests;
import dev.filetrail.api.keys.ApiKeys;
import dev.filetrail.api.keys.Scope;
import io.javalin.apibuilder.EndpointGroup;
import io.javalin.http.Context;
import io.javalin.http.sse.SseHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The change feed's routes (scope {@code read}): a page of changes after a cursor, the latest cursor, a long-poll
 * that answers as soon as anything under the cursor's prefix changes, and a Server-Sent Events stream (which an
 * {@code EventSource} opens with a ticket, since it cannot send an Authorization header).
 */
public final class ChangeRoutes implements EndpointGroup {
    static final int MIN_TIMEOUT = 30;
    static final int MAX_TIMEOUT = 480;
    private static final String RETRY_AFTER_SECONDS = "30";

    private final ChangeFeed feed;
    private final Authorizer authorizer;

    /** Null, or why every change route answers 503 (the local cursor key outside the local stack). */
    private final String unavailable;

    ChangeRoutes(ChangeFeed feed, Authorizer authorizer, String unavailable) {
        this.feed = feed;
        this.authorizer = authorizer;
        this.unavailable = unavailable;
    }

    @Override
    public void addEndpoints() {
        path("/v1/buckets/{bucket}/changes", () -> {
            get(ctx -> resetting(ctx, this::list), Scope.READ);
            get("latest-cursor", ctx -> resetting(ctx, this::latestCursor), Scope.READ);
            get("wait", ctx -> resetting(ctx, this::await), Scope.READ);
            get("stream-ticket", ctx -> resetting(ctx, this::streamTicket), Scope.READ);
            // Checks the caller itself: an Authorization header, or a ticket from an EventSource.
            get("stream", ctx -> resetting(ctx, this::stream));
        });
    }

    private interface Handler {
        void handle(Context ctx) throws Exception;
    }

    private void resetting(Context ctx, Handler handler) throws Exception {
        if (unavailable != null) {
            throw new ApiProblem(503, "change-feed-unavailable", "Change feed unavailable", unavailable);
        }
        try {
            handler.handle(ctx);
        } catch (ResetProblem reset) {
            reset.answer(ctx);
        }
    }

    /** The cursor of a request: {@code cursor} (or, for a stream, {@code Last-Event-ID}), or the beginning. */
    private ChangeCursor cursor(Context ctx, String bucket, String text) {
        String prefixParam = ctx.queryParam("prefix");
        String prefix = prefixParam == null ? null : Requests.prefix(prefixParam);
        if (text == null || text.isEmpty()) {
            return feed.beginning(bucket, prefix == null ? "" : prefix);
        }
        return feed.resume(bucket, prefix, text);
    }

    /**
     * A key limited to a prefix follows only feeds within it: a wider one would show other keys' changes, and
     * narrowing it silently (as the listing does) would bind the cursor to a prefix the client did not ask for.
     */
    private static void withinLimits(ApiKeys.ApiKeyInfo caller, String bucket, String prefix) {
        if (!caller.limits().allowsPrefix(prefix)) {
            throw Authorizer.outside(caller, "the changes under '" + prefix + "' of bucket " + bucket);
        }
    }

    private void list(Context ctx) {
        String bucket = Requests.bucket(ctx.pathParam("bucket"));
        int limit = Requests.limit(ctx);
        ChangeCursor cursor = cursor(ctx, bucket, ctx.queryParam("cursor"));
        withinLimits(Authorizer.caller(ctx), bucket, cursor.prefix());
        JsonBody.write(ctx, feed.read(cursor, limit).page());
    }

    private void latestCursor(Context ctx) {
        String bucket = Requests.bucket(ctx.pathParam("bucket"));
        String prefix = Requests.prefix(ctx.queryParam("prefix"));
        withinLimits(Authorizer.caller(ctx), bucket, prefix);
        JsonBody.write(ctx, new ChangeViews.CursorView(feed.codec().encode(feed.latest(bucket, prefix))));
    }

    private void await(Context ctx) {
        String bucket = Requests.bucket(ctx.pathParam("bucket"));
        String text = ctx.queryParam("cursor");
        if (text == null || text.isEmpty()) {
            throw ApiProblem.badRequest("cursor is required: take one from a changes page or from latest-cursor");
        }
        ChangeCursor cursor = cursor(ctx, bucket, text);
        withinLimits(Authorizer.caller(ctx), bucket, cursor.prefix());
        int timeout = timeout(ctx.queryParam("timeout"));
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        ChangeWaits.Registration registration = register(ctx, Authorizer.caller(ctx).id(), cursor,
                new ChangeWaits.Wake() {
                    @Override
                    public void changed() {
                        // Answered on a reader thread: the notice thread, which other subscribers share, never writes.
                        feed.worker().execute(() -> result.complete(true));
                    }

                    @Override
                    public void maybeChanged() {
                        feed.worker().execute(() -> {
                            if (!result.isDone()) {
                                check(result, cursor);
                            }
                        });
                    }
                });
        ScheduledFuture<?> timer = feed.scheduler().schedule(() -> result.complete(false), timeout, TimeUnit.SECONDS);
        Runnable restoreIdle = IdleTimeout.extend(ctx, Duration.ofSeconds(timeout));
        result.whenComplete((changes, error) -> {
            registration.close();
            timer.cancel(false);
        });
        // Registered before looking: a commit after this look is notified, one before it is seen by it.
        check(result, cursor);
        ctx.future(() -> result.handle((changes, error) -> {
            restoreIdle.run();
            if (error instanceof ResetProblem reset) {
                reset.answer(ctx);
            } else if (error != null) {
                throw new IllegalStateException("long-poll failed", error);
            } else {
                JsonBody.write(ctx, new ChangeViews.WaitAnswer(changes, feed.backoff()));
            }
            return null;
        }));
    }

    private void check(CompletableFuture<Boolean> result, ChangeCursor cursor) {
        try {
            if (feed.anyAfter(cursor)) {
                result.complete(true);
            }
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
    }

    private static int timeout(String value) {
        if (value == null || value.isEmpty()) {
            return MIN_TIMEOUT;
        }
        try {
            int seconds = Integer.parseInt(value);
            if (seconds >= MIN_TIMEOUT && seconds <= MAX_TIMEOUT) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiProblem.badRequest("timeout must be whole seconds within " + MIN_TIMEOUT + ".." + MAX_TIMEOUT
                + ", got '" + value + "'");
    }

    private ChangeWaits.Registration register(Context ctx, String keyId, ChangeCursor cursor, ChangeWaits.Wake wake) {
        try {
            return feed.waits().register(keyId, cursor.bucket(), cursor.prefix(), wake);
        } catch (ChangeWaits.TooManyWaits e) {
            ctx.header("Retry-After", RETRY_AFTER_SECONDS);
            throw e;
        }
    }

    private void streamTicket(Context ctx) {
        String bucket = Requests.bucket(ctx.pathParam("bucket"));
        String prefix = Requests.prefix(ctx.queryParam("prefix"));
        // The ticket carries the prefix; the stream it opens is checked against it, so this check covers both.
        withinLimits(Authorizer.caller(ctx), bucket, prefix);
        Instant expires = Instant.now().plus(feed.settings().streamTicketTtl());
        String ticket = feed.codec().encode(new CursorCodec.StreamTicket(bucket, prefix,
                Authorizer.caller(ctx).id(), expires));
        JsonBody.write(ctx, new ChangeViews.TicketView(ticket, expires, "/v1/buckets/" + bucket + "/changes/stream"));
    }

    private void stream(Context ctx) {
        String bucket = Requests.bucket(ctx.pathParam("bucket"));
        String keyId;
        String ticketText = ctx.queryParam("ticket");
        CursorCodec.StreamTicket ticket = null;
        ApiKeys.ApiKeyInfo caller = null;
        if (ctx.header("Authorization") != null || ticketText == null) {
            caller = authorizer.requireScope(ctx, Scope.READ);
            keyId = caller.id();
        } else {
            ticket = feed.codec().decodeTicket(ticketText);
            if (!ticket.bucket().equals(bucket) || ticket.expiresAt().isBefore(Instant.now())) {
                throw ApiProblem.unauthorized("the stream ticket is for another bucket or has expired: get a new one "
                        + "from stream-ticket");
            }
            keyId = ticket.keyId();
        }
        String accept = ctx.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            throw new ApiProblem(406, "not-acceptable", "Not acceptable",
                    "the stream is text/event-stream: send 'Accept: text/event-stream' (an EventSource does)");
        }
        String lastEventId = ctx.header("Last-Event-ID");
        ChangeCursor cursor = cursor(ctx, bucket, lastEventId != null && !lastEventId.isEmpty() ? lastEventId
                : ctx.queryParam("cursor"));
        if (caller != null) {
            withinLimits(caller, bucket, cursor.prefix());
        }
        if (ticket != null && !ticket.prefix().equals(cursor.prefix())) {
            throw ApiProblem.unauthorized("the stream ticket is for prefix '" + ticket.prefix() + "', the cursor for '"
                    + cursor.prefix() + "'");
        }
        ChangeStream stream = new ChangeStream(feed, cursor, feed.worker());
        stream.registered(register(ctx, keyId, cursor, stream));
        try {
            new SseHandler(client -> stream.attach(client, feed.scheduler(), feed.settings().heartbeat()))
                    .handle(ctx);
        } catch (RuntimeException e) {
            stream.close();
            throw e;
        }
    }
}
