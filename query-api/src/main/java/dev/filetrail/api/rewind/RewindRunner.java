package dev.filetrail.api.rewind;

import dev.filetrail.api.access.AccessEvents;
import dev.filetrail.api.restore.S3VersionActions;
import dev.filetrail.events.access.AccessEvent;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one rewind job's remaining actions in key order at the shared request rate, recording each outcome. An
 * action left {@code started} by a runner that stopped between its S3 call and its record is checked against S3
 * first: a restore whose copy is already the key's current version (it carries the job's id in
 * {@value #REWIND_MARK} and the source in {@code filetrail-restored-from}) is recorded, not copied again; a delete
 * whose key is already deleted is recorded, not marked again.
 */
public final class RewindRunner implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(RewindRunner.class);
    /** The user-metadata name a rewind's copies carry its job id in ({@code x-amz-meta-filetrail-rewind}). */
    public static final String REWIND_MARK = "filetrail-rewind";

    /** Called after each S3 write and before its record (tests stop a runner exactly there). */
    @FunctionalInterface
    public interface Hook {
        Hook NONE = (runner, action) -> { };

        void afterS3Write(RewindRunner runner, RewindPlan.Action action);
    }

    private final String jobId;
    private final RewindStore store;
    private final S3VersionActions s3;
    private final AccessEvents access;
    private final RequestRate rate;
    private final Hook hook;
    private final MeterRegistry registry;
    private volatile boolean stopRequested;
    private volatile boolean abandoned;

    RewindRunner(String jobId, RewindStore store, S3VersionActions s3, AccessEvents access, RequestRate rate,
                 Hook hook, MeterRegistry registry) {
        this.jobId = jobId;
        this.store = store;
        this.s3 = s3;
        this.access = access;
        this.rate = rate;
        this.hook = hook;
        this.registry = registry;
    }

    public String jobId() {
        return jobId;
    }

    /** Stops between two actions (the job stays resumable). */
    public void stop() {
        stopRequested = true;
    }

    /**
     * Stops at once, even between an S3 write and its record, as a crash would: nothing more is written. The job
     * stays {@code running} in the database, so a restart (or a resume) picks it up.
     */
    public void abandon() {
        abandoned = true;
        stopRequested = true;
    }

    @Override
    public void run() {
        java.util.Optional<RewindStore.Lease> lease = store.lease(jobId);
        if (lease.isEmpty()) {
            log.info("rewind runs elsewhere rewindId={}", jobId);
            return;
        }
        try (RewindStore.Lease held = lease.get()) {
            runLeased();
        }
    }

    private void runLeased() {
        RewindStore.Job job = store.job(jobId).orElseThrow();
        log.info("rewind running rewindId={} bucket={} prefix={} to={}", jobId, job.bucket(), job.prefix(), job.to());
        try {
            for (RewindStore.StoredAction action : store.unfinished(jobId, true)) {
                if (stopRequested || !RewindStore.RUNNING.equals(store.job(jobId).map(RewindStore.Job::state)
                        .orElse(null))) {
                    log.info("rewind paused rewindId={} abandoned={}", jobId, abandoned);
                    return;
                }
                if (!act(job, action)) {
                    return;
                }
            }
            if (store.transition(jobId, RewindStore.RUNNING, RewindStore.FINISHED)) {
                RewindStore.Counts counts = store.counts(jobId);
                log.info("rewind finished rewindId={} bucket={} prefix={} to={} actor={} states={}", jobId,
                        job.bucket(), job.prefix(), job.to(), job.actor(), counts.byState());
                access.rewindJob(AccessEvent.Type.REWIND_FINISHED, job.bucket(), new AccessEvent.Rewind(jobId,
                        job.prefix(), job.to(), counts.byAction(), counts.byState()), job.actor(), null);
            }
        } catch (RuntimeException e) {
            // The database is gone (the action's own failures are recorded per action): the job stays running and
            // is picked up again by a resume or the next start of the API.
            log.error("rewind runner stopped rewindId={} reason={}", jobId, e.toString(), e);
        }
    }

    /** Runs one action; false when the runner must stop now (abandoned, or interrupted while waiting). */
    private boolean act(RewindStore.Job job, RewindStore.StoredAction stored) {
        RewindPlan.Action action = stored.action();
        String key = action.key();
        try {
            if (RewindStore.STARTED.equals(stored.state())) {
                if (!rate.acquire()) {
                    return false;
                }
                String already = alreadyDone(job, action);
                if (already != null) {
                    // Its audit event may have gone out before the stop, or not: sent again with the same id, the
                    // audit stream keeps one.
                    audit(job, action, already.isEmpty() ? null : already);
                    store.done(jobId, key, already.isEmpty() ? null : already);
                    log.info("rewind action found done in s3 rewindId={} key={} action={} version={}", jobId, key,
                            action.kind().wireName(), already);
                    registry.counter("filetrail_rewind_actions", "outcome", "recovered").increment();
                    return true;
                }
            }
            store.started(jobId, key);
            String newVersion;
            if (action.kind() == RewindPlan.Kind.RESTORE) {
                if (!rate.acquire()) {
                    return false;
                }
                S3VersionActions.Source source = s3.head(job.bucket(), key, action.sourceVersionId());
                if (!(source instanceof S3VersionActions.Found found)) {
                    store.failed(jobId, key, "version " + action.sourceVersionId() + " is "
                            + (source instanceof S3VersionActions.DeleteMarker ? "a delete marker" : "gone from S3"));
                    store.lastError(jobId, key + ": version " + action.sourceVersionId() + " not restorable");
                    registry.counter("filetrail_rewind_actions", "outcome", "failed").increment();
                    return true;
                }
                if (!rate.acquire()) {
                    return false;
                }
                newVersion = s3.restore(job.bucket(), key, action.sourceVersionId(), found,
                        Map.of(REWIND_MARK, jobId));
            } else {
                if (!rate.acquire()) {
                    return false;
                }
                newVersion = s3.deleteMarker(job.bucket(), key);
            }
            hook.afterS3Write(this, action);
            if (abandoned) {
                return false;
            }
            // Audited before it is recorded: a stop in between finds the action done in S3 and audits it again with
            // the same event id, which the audit stream drops; never an action done without its event.
            audit(job, action, newVersion);
            store.done(jobId, key, newVersion);
            registry.counter("filetrail_rewind_actions", "outcome", "done", "action", action.kind().wireName())
                    .increment();
            return true;
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            // One key's failure does not stop the job: it is recorded, the job goes on, a resume retries it.
            log.warn("rewind action failed rewindId={} key={} action={} reason={}", jobId, key,
                    action.kind().wireName(), e.toString());
            store.failed(jobId, key, e.getClass().getSimpleName() + ": " + e.getMessage());
            store.lastError(jobId, key + ": " + e.getMessage());
            registry.counter("filetrail_rewind_actions", "outcome", "failed").increment();
            return true;
        }
    }

    /**
     * What S3 says about an action whose record is missing: the new version's id (empty for a key already deleted)
     * when the action's effect is already the key's current state, null when it must be done.
     */
    private String alreadyDone(RewindStore.Job job, RewindPlan.Action action) {
        S3VersionActions.Source current = s3.current(job.bucket(), action.key());
        if (action.kind() == RewindPlan.Kind.DELETE) {
            return current instanceof S3VersionActions.Found ? null : "";
        }
        if (current instanceof S3VersionActions.Found found) {
            Map<String, String> metadata = found.head().metadata();
            if (jobId.equals(metadata.get(REWIND_MARK))
                    && action.sourceVersionId().equals(metadata.get(S3VersionActions.RESTORED_FROM))) {
                return found.head().versionId();
            }
        }
        return null;
    }

    private void audit(RewindStore.Job job, RewindPlan.Action action, String newVersion) {
        AccessEvent.Rewind rewind = new AccessEvent.Rewind(jobId, job.prefix(), job.to(), null, null);
        if (action.kind() == RewindPlan.Kind.RESTORE) {
            access.rewindRestored(rewind, job.bucket(), action.key(), newVersion, action.sourceVersionId(),
                    job.actor());
        } else {
            access.rewindDeleted(rewind, job.bucket(), action.key(), newVersion, job.actor());
        }
        log.info("rewind action done rewindId={} bucket={} key={} action={} newVersion={} actor={}", jobId,
                job.bucket(), action.key(), action.kind().wireName(), newVersion, job.actor());
    }
}
