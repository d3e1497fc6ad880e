package dev.filetrail.api.rewind;

import dev.filetrail.api.access.AccessEvents;
import dev.filetrail.api.restore.S3VersionActions;
import dev.filetrail.events.access.AccessEvent;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewind jobs of this API instance: plans them, stores them, runs each on a thread of its own (all at one shared
 * request rate), stops and resumes them, and on start picks up the jobs a previous instance left running.
 */
public final class RewindJobs implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RewindJobs.class);

    private final RewindPlanner planner;
    private final RewindStore store;
    private final S3VersionActions s3;
    private final AccessEvents access;
    private final RequestRate rate;
    private final RewindRunner.Hook hook;
    private final MeterRegistry registry;
    private final Map<String, RewindRunner> runners = new ConcurrentHashMap<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "rewind-runner");
        t.setDaemon(true);
        return t;
    });

    public RewindJobs(RewindPlanner planner, RewindStore store, S3VersionActions s3, AccessEvents access,
                      RequestRate rate, RewindRunner.Hook hook, MeterRegistry registry) {
        this.planner = planner;
        this.store = store;
        this.s3 = s3;
        this.access = access;
        this.rate = rate;
        this.hook = hook;
        this.registry = registry;
    }

    public RewindPlan plan(String bucket, String prefix, Instant to) {
        return planner.plan(bucket, prefix, to);
    }

    /** Stores {@code plan} as a new job for {@code actor} and starts running it; the job's id. */
    public String start(RewindPlan plan, String actor) {
        String id = "rw_" + UUID.randomUUID().toString().replace("-", "");
        store.create(id, plan, actor);
        RewindPlan.Counts counts = plan.counts();
        log.info("rewind started rewindId={} bucket={} prefix={} to={} actor={} restore={} delete={} keep={}", id,
                plan.bucket(), plan.prefix(), plan.to(), actor, counts.restore(), counts.delete(), counts.keep());
        access.rewindJob(AccessEvent.Type.REWIND_STARTED, plan.bucket(), new AccessEvent.Rewind(id, plan.prefix(),
                plan.to(), Map.of("restore", counts.restore(), "delete", counts.delete(), "keep", counts.keep()), null),
                actor, null);
        registry.counter("filetrail_rewinds", "event", "started").increment();
        launch(id);
        return id;
    }

    public Optional<RewindStore.Job> job(String id) {
        return store.job(id);
    }

    public RewindStore.Counts counts(String id) {
        return store.counts(id);
    }

    /** Stops a running job between two actions for {@code actor}; false when it was not running. */
    public boolean stop(String id, String actor) {
        boolean stopped = store.transition(id, RewindStore.RUNNING, RewindStore.STOPPED);
        RewindRunner runner = runners.get(id);
        if (runner != null) {
            runner.stop();
        }
        if (stopped) {
            log.info("rewind stopped rewindId={} actor={}", id, actor);
            audit(AccessEvent.Type.REWIND_STOPPED, id, actor);
        }
        return stopped;
    }

    /** Resumes a stopped job for {@code actor} (failed actions are tried again); false when it was not stopped. */
    public boolean resume(String id, String actor) {
        if (!store.transition(id, RewindStore.STOPPED, RewindStore.RUNNING)) {
            return false;
        }
        log.info("rewind resumed rewindId={} actor={}", id, actor);
        audit(AccessEvent.Type.REWIND_RESUMED, id, actor);
        try {
            // A runner told to stop leaves after its current action; the new one starts once it has gone.
            awaitIdle(id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        launch(id);
        return true;
    }

    /** Starts runners for the jobs the database says are running but no runner here runs (after a restart). */
    public int resumeInterrupted() {
        int started = 0;
        for (String id : store.running()) {
            if (pickUp(id)) {
                started++;
            }
        }
        return started;
    }

    /** Runs job {@code id} here if the database says it is running and no runner of this instance runs it. */
    public boolean pickUp(String id) {
        if (runners.containsKey(id) || !store.job(id).map(j -> RewindStore.RUNNING.equals(j.state())).orElse(false)) {
            return false;
        }
        launch(id);
        return true;
    }

    /** Waits until no runner of this instance runs {@code id} (tests and the CLI). */
    public void awaitIdle(String id) throws InterruptedException {
        while (runners.containsKey(id)) {
            Thread.sleep(20);
        }
    }

    /** A stop or resume, with the job's counts as they are now (a stop's runner may still finish its action). */
    private void audit(AccessEvent.Type type, String id, String actor) {
        store.job(id).ifPresent(job -> {
            RewindStore.Counts counts = store.counts(id);
            access.rewindJob(type, job.bucket(), new AccessEvent.Rewind(id, job.prefix(), job.to(), counts.byAction(),
                    type == AccessEvent.Type.REWIND_STOPPED ? counts.byState() : null), actor, null);
        });
    }

    private void launch(String id) {
        RewindRunner runner = new RewindRunner(id, store, s3, access, rate, hook, registry);
        if (runners.putIfAbsent(id, runner) != null) {
            return;
        }
        threads.execute(() -> {
            try {
                runner.run();
            } finally {
                runners.remove(id, runner);
            }
        });
    }

    /** Abandons every runner at once (the jobs stay running in the database and resume on the next start). */
    @Override
    public void close() {
        runners.values().forEach(RewindRunner::abandon);
        threads.shutdownNow();
        try {
            threads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
