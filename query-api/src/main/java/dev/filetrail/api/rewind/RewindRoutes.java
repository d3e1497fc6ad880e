package dev.filetrail.api.rewind;

import static io.javalin.apibuilder.ApiBuilder.get;
import static io.javalin.apibuilder.ApiBuilder.post;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.http.ApiProblem;
import dev.filetrail.api.http.Authorizer;
import dev.filetrail.api.http.JsonBody;
import dev.filetrail.api.http.Requests;
import dev.filetrail.api.keys.ApiKeys;
import dev.filetrail.api.keys.Scope;
import io.javalin.apibuilder.EndpointGroup;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rewind routes (scope {@code write}): plan or start a rewind of a prefix to an instant, watch its progress,
 * stop and resume it. A key limited to a prefix may rewind only within it, and sees only its own bucket's jobs.
 */
public final class RewindRoutes implements EndpointGroup {
    /** The most planned actions a dry run lists (the counts are always whole). */
    public static final int DRY_RUN_LISTED = 1000;
    private static final Set<String> FIELDS = Set.of("prefix", "to", "dryRun", "confirm");

    private final RewindJobs jobs;
    private final ApiConfig config;

    public RewindRoutes(RewindJobs jobs, ApiConfig config) {
        this.jobs = jobs;
        this.config = config;
    }

    @Override
    public void addEndpoints() {
        post("/v1/buckets/{bucket}/rewinds", this::create, Scope.WRITE);
        get("/v1/rewinds/{id}", this::show, Scope.WRITE);
        post("/v1/rewinds/{id}/stop", this::stop, Scope.WRITE);
        post("/v1/rewinds/{id}/resume", this::resume, Scope.WRITE);
    }

    /** A rewind request's body. */
    record Request(String prefix, Instant to, boolean dryRun, boolean confirm) {
    }

    /** A planned action as a dry run lists it. */
    public record PlannedAction(String key, String action, String versionId, String currentVersionId) {
    }

    /** A dry run's answer: what the rewind would do. */
    public record DryRun(String bucket, String prefix, Instant to, Map<String, Long> counts, boolean confirmNeeded,
                         List<PlannedAction> actions, boolean truncated) {
    }

    /** A job and its progress. */
    public record Progress(String id, String bucket, String prefix, Instant to, String state, String actor,
                           Instant createdAt, Instant finishedAt, Map<String, Long> planned,
                           Map<String, Long> actions, String lastError) {
    }

    private void create(Context ctx) {
        ApiKeys.ApiKeyInfo caller = Authorizer.caller(ctx);
        String bucket = Requests.bucket(ctx.pathParam("bucket"));
        Request request = parse(ctx.body());
        if (!caller.limits().allowsBucket(bucket) || !caller.limits().allowsPrefix(request.prefix())) {
            throw Authorizer.outside(caller, "a rewind of bucket " + bucket + " prefix '" + request.prefix() + "'");
        }
        if (!bucket.equals(config.sourceBucket())) {
            throw ApiProblem.badRequest("bucket " + bucket + " is not the source bucket this API may write to ("
                    + config.sourceBucket() + ")");
        }
        if (request.to().isAfter(Instant.now())) {
            throw ApiProblem.badRequest("to must not be in the future, got " + request.to());
        }
        RewindPlan plan = jobs.plan(bucket, request.prefix(), request.to());
        RewindPlan.Counts counts = plan.counts();
        boolean confirmNeeded = counts.total() > config.rewindConfirmAbove();
        if (request.dryRun()) {
            List<PlannedAction> listed = plan.actions().stream().limit(DRY_RUN_LISTED).map(a -> new PlannedAction(
                    a.key(), a.kind().wireName(), a.sourceVersionId(), a.currentVersionId())).toList();
            JsonBody.write(ctx.status(200), new DryRun(bucket, request.prefix(), request.to(), counts(counts),
                    confirmNeeded, listed, plan.actions().size() > listed.size()));
            return;
        }
        if (confirmNeeded && !request.confirm()) {
            throw new ApiProblem(409, "rewind-needs-confirm", "Rewind needs confirmation",
                    "the rewind of prefix '" + request.prefix() + "' covers " + counts.total() + " keys, more than "
                            + config.rewindConfirmAbove() + " (REWIND_CONFIRM_ABOVE); send \"confirm\": true to run"
                            + " it (\"dryRun\": true shows the plan)");
        }
        String id = jobs.start(plan, "key:" + caller.id());
        ctx.header("Location", "/v1/rewinds/" + id);
        JsonBody.write(ctx.status(202), progress(id));
    }

    private void show(Context ctx) {
        JsonBody.write(ctx, progress(visible(ctx).id()));
    }

    private void stop(Context ctx) {
        RewindStore.Job job = visible(ctx);
        if (!jobs.stop(job.id(), "key:" + Authorizer.caller(ctx).id())) {
            throw ApiProblem.conflict("rewind " + job.id() + " is " + job.state() + ", not running; there is"
                    + " nothing to stop");
        }
        JsonBody.write(ctx, progress(job.id()));
    }

    private void resume(Context ctx) {
        RewindStore.Job job = visible(ctx);
        if (!jobs.resume(job.id(), "key:" + Authorizer.caller(ctx).id())) {
            throw ApiProblem.conflict("rewind " + job.id() + " is " + job.state() + ", not stopped; only a stopped"
                    + " rewind resumes");
        }
        JsonBody.write(ctx, progress(job.id()));
    }

    /** The job of the path, if the caller may see it (its bucket and prefix); 404 otherwise, not telling which. */
    private RewindStore.Job visible(Context ctx) {
        ApiKeys.ApiKeyInfo caller = Authorizer.caller(ctx);
        String id = ctx.pathParam("id");
        return jobs.job(id).filter(j -> caller.limits().allowsBucket(j.bucket())
                        && caller.limits().allowsPrefix(j.prefix()))
                .orElseThrow(() -> ApiProblem.notFound("no rewind " + id));
    }

    private Progress progress(String id) {
        RewindStore.Job job = jobs.job(id).orElseThrow(() -> ApiProblem.notFound("no rewind " + id));
        RewindStore.Counts counts = jobs.counts(id);
        return new Progress(job.id(), job.bucket(), job.prefix(), job.to(), job.state(), job.actor(),
                job.createdAt(), job.finishedAt(), counts.byAction(), counts.byState(), job.lastError());
    }

    private static Map<String, Long> counts(RewindPlan.Counts counts) {
        return Map.of("restore", counts.restore(), "delete", counts.delete(), "keep", counts.keep());
    }

    static Request parse(String body) {
        JsonNode node = Requests.jsonObject(body, FIELDS, "prefix and to");
        JsonNode prefix = node.get("prefix");
        if (prefix == null || !prefix.isTextual()) {
            throw ApiProblem.badRequest("field 'prefix' is required and must be a string (\"\" is the whole bucket)");
        }
        JsonNode to = node.get("to");
        if (to == null || !to.isTextual()) {
            throw ApiProblem.badRequest("field 'to' is required: an ISO-8601 instant such as 2024-01-31T12:00:00Z");
        }
        Instant instant;
        try {
            instant = Instant.parse(to.asText());
        } catch (DateTimeParseException e) {
            throw ApiProblem.badRequest("to must be an ISO-8601 instant such as 2024-01-31T12:00:00Z, got '"
                    + to.asText() + "'");
        }
        return new Request(Requests.prefix(prefix.asText()), Requests.storedInstant("to", instant),
                flag(node, "dryRun"), flag(node, "confirm"));
    }

    private static boolean flag(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw ApiProblem.badRequest("field '" + field + "' must be true or false");
        }
        return value.asBoolean();
    }
}
