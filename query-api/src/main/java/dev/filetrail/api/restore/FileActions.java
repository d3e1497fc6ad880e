package dev.filetrail.api.restore;

import static io.javalin.apibuilder.ApiBuilder.path;
import static io.javalin.apibuilder.ApiBuilder.post;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.access.AccessEvents;
import dev.filetrail.api.files.FileQueries;
import dev.filetrail.api.files.FileReads;
import dev.filetrail.api.files.FileRoutes;
import dev.filetrail.api.http.ApiProblem;
import dev.filetrail.api.http.Authorizer;
import dev.filetrail.api.http.ClientAddress;
import dev.filetrail.api.http.ObjectPath;
import dev.filetrail.api.keys.ApiKeys;
import dev.filetrail.api.keys.Scope;
import dev.filetrail.events.Json;
import dev.filetrail.events.object.EventIds;
import io.javalin.apibuilder.EndpointGroup;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The write actions on a file, which need the {@code write} scope: restore an old version (S3 copies it onto the
 * key as a new version) and undelete (S3 removes the delete marker that is the current version). S3 tells the rest
 * of Filetrail what happened through its notifications, as for any other change; these routes answer with S3's
 * new state at once and record who asked on the audit trail.
 */
public final class FileActions implements EndpointGroup {
    private static final Logger log = LoggerFactory.getLogger(FileActions.class);
    private static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final S3VersionActions s3;
    private final FileReads queries;
    private final IdempotentRequests idempotency;
    private final AccessEvents access;
    private final ApiConfig config;
    private final MeterRegistry registry;

    public FileActions(S3VersionActions s3, FileReads queries, IdempotentRequests idempotency, AccessEvents access,
                       ApiConfig config, MeterRegistry registry) {
        this.s3 = s3;
        this.queries = queries;
        this.idempotency = idempotency;
        this.access = access;
        this.config = config;
        this.registry = registry;
    }

    @Override
    public void addEndpoints() {
        path("/v1/buckets/{bucket}/files", () -> {
            post(ObjectPath.KEY + "/versions/{versionId}/restore",
                    ObjectPath.to(ObjectPath.Target.RESTORE, this::restore), Scope.WRITE);
            post(ObjectPath.KEY + "/undelete", ObjectPath.to(ObjectPath.Target.UNDELETE, this::undelete), Scope.WRITE);
        });
    }

    /** The answer to a restore. */
    public record Restored(String bucket, String key, String versionId, String restoredFrom, long size,
                           String historyPath) {
    }

    /** The answer to an undelete. */
    public record Undeleted(String bucket, String key, String removedDeleteMarker, String historyPath) {
    }

    private void restore(Context ctx, ObjectPath path) {
        ApiKeys.ApiKeyInfo caller = Authorizer.caller(ctx);
        requireSourceBucket(path.bucket());
        answer(ctx, caller, () -> {
            // Filetrail's history names the versions it may restore; S3 then says what the version is now.
            if (queries.version(path.bucket(), path.key(), path.versionId()).isEmpty()) {
                throw ApiProblem.notFound("no version " + path.versionId() + " of " + path.key() + " in bucket "
                        + path.bucket());
            }
            S3VersionActions.Source source = s3.head(path.bucket(), path.key(), path.versionId());
            if (source instanceof S3VersionActions.Missing) {
                throw ApiProblem.notFound("no version " + path.versionId() + " of " + path.key() + " in bucket "
                        + path.bucket());
            }
            if (source instanceof S3VersionActions.DeleteMarker) {
                throw ApiProblem.conflict("version " + path.versionId() + " is a delete marker and has no bytes to"
                        + " restore; POST …/undelete removes the current delete marker");
            }
            S3VersionActions.Found found = (S3VersionActions.Found) source;
            String newVersion;
            try {
                newVersion = s3.restore(path.bucket(), path.key(), path.versionId(), found);
            } catch (S3Exception e) {
                if ("InvalidObjectState".equals(code(e))) {
                    throw ApiProblem.conflict("version " + path.versionId() + " is archived in "
                            + found.head().storageClassAsString() + "; restore it from the archive first");
                }
                throw e;
            }
            access.fileRestored(path.bucket(), path.key(), newVersion, path.versionId(), "key:" + caller.id(),
                    ClientAddress.of(ctx));
            registry.counter("filetrail_file_actions", "action", "restore").increment();
            ctx.header("Location", FileRoutes.route(path.bucket(), path.key(), "/versions"));
            return new IdempotentRequests.Answer(201, Json.writeString(new Restored(path.bucket(), path.key(),
                    newVersion, path.versionId(), found.size(),
                    FileRoutes.route(path.bucket(), path.key(), "/versions"))));
        });
    }

    private void undelete(Context ctx, ObjectPath path) {
        ApiKeys.ApiKeyInfo caller = Authorizer.caller(ctx);
        requireSourceBucket(path.bucket());
        answer(ctx, caller, () -> {
            FileQueries.FileRow file = queries.file(path.bucket(), path.key())
                    .orElseThrow(() -> ApiProblem.notFound("no file " + path.key() + " in bucket " + path.bucket()));
            if (!file.deleted() || file.latestVersionId() == null) {
                throw ApiProblem.conflict("the current version of " + path.key() + " is " + file.currentVersionId()
                        + ", not a delete marker: there is nothing to undelete");
            }
            String marker = file.latestVersionId();
            // The read model names the marker; S3 confirms it is one before it is removed for good.
            S3VersionActions.Source source = s3.head(path.bucket(), path.key(), marker);
            if (!(source instanceof S3VersionActions.DeleteMarker)) {
                throw ApiProblem.conflict("the newest version of " + path.key() + " known here (" + marker
                        + ") is not a delete marker in S3; its history is catching up, look again shortly");
            }
            s3.removeDeleteMarker(path.bucket(), path.key(), marker);
            access.fileUndeleted(path.bucket(), path.key(), marker, "key:" + caller.id(), ClientAddress.of(ctx));
            registry.counter("filetrail_file_actions", "action", "undelete").increment();
            return new IdempotentRequests.Answer(200, Json.writeString(new Undeleted(path.bucket(), path.key(),
                    marker, FileRoutes.route(path.bucket(), path.key(), "/versions"))));
        });
    }

    /**
     * Runs {@code action} once per {@code Idempotency-Key} (when the request has one) and answers with its result:
     * a repeat of the same request gets the first answer (problems included), another request with the same key a
     * 422. A failure of S3 or the database releases the key, so the caller's retry acts again.
     */
    private void answer(Context ctx, ApiKeys.ApiKeyInfo caller, Supplier<IdempotentRequests.Answer> action) {
        String key = ctx.header(IDEMPOTENCY_KEY);
        if (key == null) {
            write(ctx, run(ctx, action));
            return;
        }
        String request = EventIds.sha256Hex(ctx.method().name(), ctx.req().getRequestURI(),
                String.valueOf(ctx.queryString()), new String(ctx.bodyAsBytes(), StandardCharsets.UTF_8));
        Optional<IdempotentRequests.Answer> first = idempotency.claim(caller.id(), key, request);
        if (first.isPresent()) {
            log.info("idempotent repeat answered keyId={} idempotencyKey={} status={} path={}", caller.id(), key,
                    first.get().status(), ctx.path());
            ctx.header("Idempotent-Replayed", "true");
            write(ctx, first.get());
            return;
        }
        IdempotentRequests.Answer answer;
        try {
            answer = run(ctx, action);
        } catch (RuntimeException e) {
            idempotency.release(caller.id(), key);
            throw e;
        }
        idempotency.complete(caller.id(), key, answer);
        write(ctx, answer);
    }

    /** The action's answer; a problem it raises (404, 409) is an answer too, so that a repeat gets it again. */
    private static IdempotentRequests.Answer run(Context ctx, Supplier<IdempotentRequests.Answer> action) {
        try {
            return action.get();
        } catch (ApiProblem e) {
            if (e.status() >= 500) {
                throw e;
            }
            return new IdempotentRequests.Answer(e.status(), Json.writeString(e.toProblem(ctx.path())));
        } catch (SdkException e) {
            log.warn("s3 refused a file action path={} reason={}", ctx.path(), e.toString());
            throw new ApiProblem(502, "s3-unavailable", "S3 did not answer",
                    "S3 did not confirm the action (" + e.getClass().getSimpleName() + "); send it again (with the"
                            + " same Idempotency-Key, a repeat acts only if the first did not)");
        }
    }

    private static void write(Context ctx, IdempotentRequests.Answer answer) {
        ctx.status(answer.status()).contentType(answer.status() >= 400 ? "application/problem+json"
                : "application/json").result(answer.body());
    }

    private void requireSourceBucket(String bucket) {
        if (!bucket.equals(config.sourceBucket())) {
            throw ApiProblem.badRequest("bucket " + bucket + " is not the source bucket this API may write to ("
                    + config.sourceBucket() + ")");
        }
    }

    private static String code(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }
}
