package dev.filetrail.launcher.reprocess;

import java.sql.SQLException;
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a job: hands each remaining version to both processors, paced, recording every accepted invocation before
 * the next one starts. The only version a crash can hand over twice is the one whose invocation Lambda had accepted
 * when the process died before recording it; the processors are idempotent per version (their result marker), so a
 * second event for it republishes the same result.
 */
public final class Reprocessor {
    private static final Logger log = LoggerFactory.getLogger(Reprocessor.class);
    private static final int PAGE = 500;
    /** The error of a run stopped by an interrupt. */
    public static final String INTERRUPTED = "interrupted";

    private final ReprocessJobs jobs;
    private final ProcessorInvoker invoker;
    private final NotificationEvents events;
    private final Clock clock;

    public Reprocessor(ReprocessJobs jobs, ProcessorInvoker invoker, NotificationEvents events, Clock clock) {
        this.jobs = jobs;
        this.invoker = invoker;
        this.events = events;
        this.clock = clock;
    }

    /** Progress after each version: versions fully handed over so far in the job, and the last key. */
    public record Progress(long sent, long total, String lastKey) {
    }

    /**
     * What one run did.
     *
     * @param error why it stopped early (Lambda refused or could not be reached), or null
     */
    public record Run(long versionsSent, Map<Processor, Long> invocations, boolean stoppedAtLimit, String error) {
    }

    /**
     * Hands over the job's remaining versions, at most {@code limit} of them (0: no limit), at most
     * {@code perSecond} versions a second (each version one invocation per processor it still lacks).
     */
    public Run run(ReprocessJob job, double perSecond, long limit, Consumer<Progress> progress)
            throws SQLException {
        Pace pace = new Pace(perSecond);
        Map<Processor, Long> invocations = new EnumMap<>(Processor.class);
        for (Processor p : Processor.values()) {
            invocations.put(p, 0L);
        }
        long sent = 0;
        long done = job.sent();
        long after = 0;
        while (true) {
            List<ReprocessJobs.Item> page = jobs.pending(job.id(), after, PAGE);
            if (page.isEmpty()) {
                return new Run(sent, invocations, false, null);
            }
            for (ReprocessJobs.Item item : page) {
                if (limit > 0 && sent >= limit) {
                    return new Run(sent, invocations, true, null);
                }
                try {
                    pace.await();
                } catch (InterruptedException e) {
                    // Ctrl-C (the command's shutdown hook) or the caller: stop between versions, all recorded.
                    return new Run(sent, invocations, false, INTERRUPTED);
                }
                for (Processor processor : Processor.values()) {
                    if (item.sent(processor)) {
                        continue;
                    }
                    try {
                        invoker.invoke(processor, events.lambdaEvent(job.id(), job.bucket(), item.version(), processor,
                                clock.instant()));
                    } catch (RuntimeException e) {
                        // An interrupt during the call aborts it (the SDK's AbortedException); clear it, so that the
                        // job's state can still be written.
                        boolean interrupted = Thread.interrupted();
                        // What Lambda accepted is recorded; the rest waits for a resume (the SDK has already retried).
                        log.warn("reprocess invocation failed job={} key={} versionId={} processor={}", job.id(),
                                item.version().key(), item.version().versionId(), processor.label(), e);
                        return new Run(sent, invocations, false, interrupted ? INTERRUPTED
                                : e.getMessage() != null ? e.getMessage() : e.toString());
                    }
                    jobs.markSent(job.id(), item.seq(), processor);
                    invocations.merge(processor, 1L, Long::sum);
                }
                sent++;
                done++;
                after = item.seq();
                log.debug("reprocess handed over job={} key={} versionId={} reason={}", job.id(), item.version().key(),
                        item.version().versionId(), item.version().reason());
                progress.accept(new Progress(done, job.total(), item.version().key()));
            }
        }
    }
}
