package dev.filetrail.launcher.cli;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.ReadModelDatabase;
import dev.filetrail.launcher.reprocess.Candidate;
import dev.filetrail.launcher.reprocess.Candidates;
import dev.filetrail.launcher.reprocess.NotificationEvents;
import dev.filetrail.launcher.reprocess.Processor;
import dev.filetrail.launcher.reprocess.ProcessorInvoker;
import dev.filetrail.launcher.reprocess.ReprocessConfig;
import dev.filetrail.launcher.reprocess.ReprocessJob;
import dev.filetrail.launcher.reprocess.ReprocessJobs;
import dev.filetrail.launcher.reprocess.Reprocessor;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code filetrail reprocess}: the thumbnail and metadata processors run again for versions that have no results. */
@Command(name = "reprocess", mixinStandardHelpOptions = true,
        description = {"Runs the thumbnail and metadata processors for the versions of a bucket that have no results "
                + "(backfilled ones, or ones whose processing never arrived): present versions in the read model "
                + "with no derivatives or no metadata (--include-failed: also those a processor failed on).",
                "Each version is handed to both Lambdas as an asynchronous Invoke with the S3 notification SNS would "
                        + "deliver; their results flow into the history as for an upload.",
                "A job (id rp_...) plans the versions once and records every invocation Lambda accepted, in "
                        + "PostgreSQL (<DATABASE_SCHEMA>_reprocess): --resume ID sends only what is left.",
                "Configured by the query API's DATABASE_* variables, LAMBDA_ENDPOINT, AWS_*, "
                        + "REPROCESS_THUMBNAIL_FUNCTION, REPROCESS_METADATA_FUNCTION, REPROCESS_BUCKETS.",
                "With READ_MODEL_SHARDS the versions are planned from every shard and the jobs are kept in shard 0."})
final class ReprocessCommand extends OpsCommand {
    // S3's rules for a bucket name (3-63 characters, lower case, digits, dots, hyphens; letter or digit at the ends).
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern RATE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(?:/s)?");
    private static final double MAX_RATE = 1000;

    @Option(names = "--bucket", description = "The bucket whose versions to reprocess (required unless --resume).")
    String bucket;

    @Option(names = "--prefix", description = "Only keys under this prefix.")
    String prefix;

    @Option(names = "--include-failed", description = "Also versions where a processor recorded a failure.")
    boolean includeFailed;

    @Option(names = "--dry-run", description = "List and count what would be handed to the processors; store and "
            + "invoke nothing.")
    boolean dryRun;

    @Option(names = "--rate", defaultValue = "10/s", paramLabel = "N/s", description = "At most N versions a second, "
            + "i.e. N invocations a second per processor (default ${DEFAULT-VALUE}, at most 1000).")
    String rate;

    @Option(names = "--resume", paramLabel = "ID", description = "Continue job ID: only versions not yet handed over.")
    String resume;

    @Option(names = "--limit", paramLabel = "N", description = "Hand over at most N versions in this run, then stop "
            + "(the job stays open for --resume); with --dry-run, list at most N (default 1000; all are counted).")
    Long limit;

    /** The summary printed at the end (one JSON document with --json). */
    record Result(String jobId, String bucket, String prefix, boolean dryRun, boolean includeFailed, String state,
                  long total, long sentBefore, long sent, Map<String, Long> invocations, long remaining,
                  Map<String, Long> byReason, List<Candidate> versions, boolean truncated, double ratePerSecond,
                  double seconds, String error) {
    }

    @Override
    public Integer call() throws Exception {
        double perSecond = parseRate();
        validate();
        ReprocessConfig config = ReprocessConfig.from(env);
        ApiConfig api = ApiConfig.fromMap(env);
        long started = System.nanoTime();
        // With READ_MODEL_SHARDS the candidates are every shard's, and the jobs live in shard 0.
        try (ShardPools shards = ShardPools.open(api, 3, "reprocess")) {
            Candidates candidates = new Candidates(shards.all());
            ReprocessJobs jobs = new ReprocessJobs(shards.shard(0), ReprocessJobs.schemaFor(api.databaseSchema()),
                    shards.all());
            Optional<ReprocessJob> resumed = Optional.empty();
            if (resume != null) {
                resumed = jobs.find(resume);
                if (resumed.isEmpty()) {
                    return fail("no reprocess job " + resume);
                }
                checkSameScope(resumed.get());
            } else if (!config.allows(bucket)) {
                throw new ParameterException(spec.commandLine(), "--bucket " + bucket + ": the processors may read only "
                        + String.join(", ", config.allowedBuckets()) + " (REPROCESS_BUCKETS)");
            } else if (!candidates.knows(bucket)) {
                return fail("Filetrail has no history of bucket " + bucket
                        + " (a typo? or backfill it first: filetrail backfill --bucket " + bucket + ")");
            }
            if (dryRun) {
                return dryRun(candidates, jobs, resumed, perSecond, started);
            }
            ReprocessJob job;
            if (resumed.isPresent()) {
                job = resumed.get();
            } else {
                ReadModelDatabase.migrate(shards.shard(0), jobs.schema(), ReprocessJobs.MIGRATIONS);
                job = jobs.create(bucket, prefix, includeFailed);
            }
            return run(jobs, job, config, perSecond, started);
        }
    }

    private Integer run(ReprocessJobs jobs, ReprocessJob job, ReprocessConfig config, double perSecond, long started)
            throws Exception {
        if (job.remaining() == 0) {
            jobs.update(job.id(), true, null);
            ReprocessJob done = jobs.find(job.id()).orElseThrow();
            return report(done, job.sent(), new Reprocessor.Run(0, zeroInvocations(), false, null), perSecond, started);
        }
        Optional<AutoCloseable> lease = jobs.lease(job.id());
        if (lease.isEmpty()) {
            return fail("reprocess job " + job.id() + " is being run by another process");
        }
        err().printf("reprocess job %s: %,d versions to hand over (of %,d)%n", job.id(), job.remaining(), job.total());
        err().flush();
        // Ctrl-C: the hook interrupts the run, which stops between two versions (everything sent is recorded), and
        // waits for the summary with the resume command to be printed before the JVM goes.
        Thread worker = Thread.currentThread();
        CountDownLatch reported = new CountDownLatch(1);
        Thread stop = new Thread(() -> {
            worker.interrupt();
            try {
                reported.await(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "reprocess-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            return runLeased(jobs, job, config, perSecond, started, lease.get());
        } finally {
            reported.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it only waits for the countdown above
            }
        }
    }

    private Integer runLeased(ReprocessJobs jobs, ReprocessJob job, ReprocessConfig config, double perSecond,
                              long started, AutoCloseable lease) throws Exception {
        Reprocessor.Run run;
        try (AutoCloseable held = lease;
             ProcessorInvoker invoker = new ProcessorInvoker(config);
             ProgressBar bar = progress("reprocess " + job.id(), job.remaining(), "versions")) {
            Reprocessor reprocessor = new Reprocessor(jobs, invoker,
                    new NotificationEvents(config.region(), config.objectEventsTopicArn()), Clock.systemUTC());
            long before = job.sent();
            run = reprocessor.run(job, perSecond, limit == null ? 0 : limit,
                    p -> bar.update(p.sent() - before, p.lastKey()));
            ReprocessJob after = jobs.find(job.id()).orElseThrow();
            bar.finish(after.sent() - before, run.error() == null ? "done" : "stopped");
            jobs.update(job.id(), after.remaining() == 0, run.error());
        }
        ReprocessJob after = jobs.find(job.id()).orElseThrow();
        return report(after, job.sent(), run, perSecond, started);
    }

    private Integer report(ReprocessJob job, long sentBefore, Reprocessor.Run run, double perSecond, long started) {
        String error = run.error();
        Map<String, Long> invocations = new LinkedHashMap<>();
        run.invocations().forEach((p, n) -> invocations.put(p.label(), n));
        long took = System.nanoTime() - started;
        Result result = new Result(job.id(), job.bucket(), job.prefix(), false, job.includeFailed(), job.state(),
                job.total(), sentBefore, job.sent() - sentBefore, invocations, job.remaining(), null, null, false,
                perSecond, seconds(took), error);
        print(result, out -> {
            out.printf("Reprocess of s3://%s/%s (job %s)%n", result.bucket(), result.prefix(), result.jobId());
            out.printf("  versions planned   %,d%s%n", result.total(), result.includeFailed() ? " (with failed ones)" : "");
            out.printf("  handed over now    %,d (invocations: %s) at most %s/s%n", result.sent(),
                    invocations.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList(),
                    String.format(Locale.ROOT, "%.4g", perSecond));
            out.printf("  before this run    %,d%n", sentBefore);
            out.printf("  remaining          %,d%n", result.remaining());
            out.printf("  took               %.1f s%n", result.seconds());
            if (result.remaining() > 0) {
                out.printf("  resume with        filetrail reprocess --resume %s%n", result.jobId());
            } else {
                out.println("  finished: the results reach the history as the processors publish them");
            }
        });
        if (error != null) {
            err().println("filetrail: reprocess stopped: " + error + " (resume with filetrail reprocess --resume "
                    + job.id() + ")");
            err().flush();
            return FAILED;
        }
        return OK;
    }

    private Integer dryRun(Candidates candidates, ReprocessJobs jobs, Optional<ReprocessJob> resumed, double perSecond,
                           long started) throws Exception {
        int shown = (int) Math.min(Integer.MAX_VALUE, limit == null ? 1000 : limit);
        Result result;
        if (resumed.isPresent()) {
            ReprocessJob job = resumed.get();
            List<Candidate> versions = jobs.pending(job.id(), 0, shown).stream().map(i -> i.version()).toList();
            result = new Result(job.id(), job.bucket(), job.prefix(), true, job.includeFailed(), job.state(),
                    job.total(), job.sent(), 0, Map.of(), job.remaining(), null, versions,
                    versions.size() < job.remaining(), perSecond, seconds(System.nanoTime() - started), null);
        } else {
            Map<String, Long> byReason = candidates.countByReason(bucket, prefix, includeFailed);
            long total = byReason.values().stream().mapToLong(Long::longValue).sum();
            List<Candidate> versions = candidates.first(bucket, prefix, includeFailed, shown);
            result = new Result(null, bucket, prefix == null ? "" : prefix, true, includeFailed, "dry-run", total, 0, 0,
                    Map.of(), total, byReason, versions, versions.size() < total, perSecond,
                    seconds(System.nanoTime() - started), null);
        }
        print(result, out -> {
            out.printf("Reprocess of s3://%s/%s (dry run%s)%n", result.bucket(), result.prefix(),
                    result.jobId() == null ? "" : ", job " + result.jobId());
            out.printf("  versions to hand over  %,d%s%n", result.remaining(),
                    result.byReason() == null ? "" : " " + result.byReason());
            for (Candidate c : result.versions()) {
                out.printf("  %s  %s  %s%n", c.key(), c.versionId(), c.reason());
            }
            if (result.truncated()) {
                out.printf("  ... (%,d more; raise --limit to list them)%n", result.remaining() - result.versions().size());
            }
            out.printf("  at most %s/s: about %,d s; nothing was stored or invoked%n",
                    String.format(Locale.ROOT, "%.4g", perSecond), Math.round(result.remaining() / perSecond));
        });
        return OK;
    }

    private double parseRate() {
        var m = RATE.matcher(rate.trim());
        double value = m.matches() ? Double.parseDouble(m.group(1)) : -1;
        if (!(value > 0) || value > MAX_RATE) {
            throw new ParameterException(spec.commandLine(), "--rate must be N or N/s with 0 < N <= " + (int) MAX_RATE
                    + ", not '" + rate + "'");
        }
        return value;
    }

    private void validate() {
        if (resume == null && bucket == null) {
            throw new ParameterException(spec.commandLine(), "--bucket is required (or --resume ID)");
        }
        if (bucket != null && !BUCKET.matcher(bucket).matches()) {
            throw new ParameterException(spec.commandLine(), "--bucket '" + bucket + "' is not an S3 bucket name "
                    + "(3-63 characters: lower-case letters, digits, dots and hyphens)");
        }
        if (prefix != null && prefix.getBytes(StandardCharsets.UTF_8).length > 1024) {
            throw new ParameterException(spec.commandLine(), "--prefix is longer than an S3 key (1024 bytes)");
        }
        if (limit != null && limit < 1) {
            throw new ParameterException(spec.commandLine(), "--limit must be at least 1");
        }
        if (resume != null && !resume.matches("rp_[0-9a-f]{16}")) {
            throw new ParameterException(spec.commandLine(), "--resume takes a job id (rp_ and 16 hex digits), not '"
                    + resume + "'");
        }
    }

    /** A resumed job keeps its scope: options that would change it are refused rather than ignored. */
    private void checkSameScope(ReprocessJob job) {
        if ((bucket != null && !bucket.equals(job.bucket())) || (prefix != null && !prefix.equals(job.prefix()))
                || (includeFailed && !job.includeFailed())) {
            throw new ParameterException(spec.commandLine(), "job " + job.id() + " is for s3://" + job.bucket() + "/"
                    + job.prefix() + (job.includeFailed() ? " with failed versions" : "")
                    + ": --resume takes no other --bucket, --prefix or --include-failed");
        }
    }

    private Integer fail(String message) {
        err().println("filetrail: " + message);
        err().flush();
        return FAILED;
    }

    private static Map<Processor, Long> zeroInvocations() {
        Map<Processor, Long> zero = new java.util.EnumMap<>(Processor.class);
        for (Processor p : Processor.values()) {
            zero.put(p, 0L);
        }
        return zero;
    }
}
