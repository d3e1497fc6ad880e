package dev.filetrail.api.changes;

import dev.filetrail.api.http.ApiProblem;
import dev.filetrail.events.Json;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A cursor the feed can no longer continue (older than the retention, from before the topic was recreated or
 * repartitioned, ahead of the read model): 409 with {@code "error":"reset"} beside the problem fields, as Dropbox
 * answers {@code reset}: the client drops its cursor and syncs from scratch.
 */
final class ResetProblem extends ApiProblem {
    ResetProblem(String detail) {
        super(409, "reset", "Cursor reset: sync from scratch", detail);
    }

    /** Writes the answer: the usual problem document plus {@code "error":"reset"}. */
    void answer(Context ctx) {
        Map<String, Object> body = new LinkedHashMap<>();
        ApiProblem.Problem p = toProblem(ctx.path());
        body.put("type", p.type());
        body.put("title", p.title());
        body.put("status", p.status());
        body.put("detail", p.detail());
        body.put("instance", p.instance());
        body.put("error", "reset");
        ctx.status(409).contentType("application/problem+json").result(Json.write(body));
    }
}
