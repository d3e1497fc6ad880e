package dev.filetrail.launcher.cli;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.projection.ProjectionRebuild;
import dev.filetrail.api.shards.ShardSettings;
import dev.filetrail.streams.MetadataStreams;
import dev.filetrail.streams.MetadataStreamsConfig;
import dev.filetrail.streams.replay.StreamsRebuild;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code filetrail rebuild}: the streams state or the read model, again from the retained log. */
@Command(name = "rebuild", mixinStandardHelpOptions = true,
        description = {"Rebuilds derived state from the retained log while the old state keeps serving.",
                "--projection: replays the output topics into a fresh PostgreSQL schema, then, under the live "
                        + "projector's lock, catches up and swaps the schemas in one transaction (the API never sees a "
                        + "half-built model). Configured by the query API's variables (DATABASE_*, READ_MODEL_SHARDS, "
                        + "KAFKA_BOOTSTRAP_SERVERS). With READ_MODEL_SHARDS, --shard i rebuilds shard i alone (from the "
                        + "partitions p with p mod N = i); without it every shard is rebuilt, one after the other.",
                "--streams: runs the topology under a new application id from offset zero until it has caught up "
                        + "(lag 0), beside the running one. Then point the streams service at it "
                        + "(STREAMS_APPLICATION_ID=<new id>) and restart it. Configured by the streams' variables."})
final class RebuildCommand extends OpsCommand {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    /** Exactly one of the two. */
    static final class Target {
        @Option(names = "--streams", required = true, description = "Rebuild the streams state under a new application id.")
        boolean streams;

        @Option(names = "--projection", required = true, description = "Rebuild the PostgreSQL read model.")
        boolean projection;
    }

    @Option(names = "--dry-run", description = "Count the retained records the rebuild would read; change nothing.")
    boolean dryRun;

    @Option(names = "--drop-retired", description = "--projection: drop the old schema after the swap instead of keeping "
            + "it as <schema>_retired_<epoch>.")
    boolean dropRetired;

    @Option(names = "--shard", paramLabel = "I", description = "--projection with READ_MODEL_SHARDS: rebuild only "
            + "shard I (0-based); the others keep serving untouched. Default: every shard, one after the other.")
    Integer shard;

    @Option(names = "--application-id", description = "--streams: the new application id (default: <current>-rebuild-<epoch>).")
    String applicationId;

    @Option(names = "--output-suffix", description = "--streams: write side-by-side output topics (<topic><suffix>) "
            + "instead of the standard ones (safe too: every output carries a deterministic id).")
    String outputSuffix;

    @Option(names = "--state-dir", description = "--streams: where the new instance keeps its stores (default: beside "
            + "STREAMS_STATE_DIR).")
    Path stateDir;

    @Option(names = "--timeout", defaultValue = "PT30M", description = "--streams: how long to wait for the new "
            + "instance to catch up (ISO-8601 duration, default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--keep-running", description = "--streams: keep the caught-up instance running (serving the new "
            + "id) until stopped, instead of stopping it once caught up.")
    boolean keepRunning;

    /** The --projection summary of one shard as printed (shard 0 when the read model is not sharded). */
    record ProjectionResult(String target, int shard, String liveSchema, String rebuiltSchema, String retiredSchema, long records,
                            double seconds, double recordsPerSecond, boolean switched, boolean dryRun) {
    }

    /** The --streams summary as printed. */
    record StreamsResult(String target, String applicationId, String outputTopicSuffix, boolean dryRun,
                         boolean caughtUp, long inputRecords, long lag, double seconds, boolean running) {
    }

    @Override
    public Integer call() throws Exception {
        return target.projection ? projection() : streams();
    }

    /** The --projection summary of every shard rebuilt, with READ_MODEL_SHARDS listing more than one. */
    record ShardedProjectionResult(String target, int shards, List<ProjectionResult> rebuilt) {
    }

    /**
     * Without --shard, the shards are rebuilt one after the other rather than side by side: each shard's rebuild is
     * bound by its own database and its own partitions, so running them at once only pays off where shards are on
     * separate machines — and there the operator runs one {@code --shard i} per shard at once (they share nothing),
     * while this process keeps one progress bar, one summary, and stops at the first failure with the shards before
     * it switched and those after it untouched.
     */
    private int projection() {
        ApiConfig config = ApiConfig.fromMap(env);
        ProjectionRebuild rebuild = new ProjectionRebuild(config);
        int count = rebuild.shards();
        if (shard != null) {
            ShardOption.check(spec, shard, config);
        }
        if (count == 1) {
            return printed(rebuild(rebuild, null, "rebuild read model"));
        }
        List<ProjectionResult> results = new ArrayList<>();
        List<Integer> which = shard != null ? List.of(shard) : IntStream.range(0, count).boxed().toList();
        for (int i : which) {
            try {
                ShardSettings.ShardEndpoint e = config.shardEndpoints().get(i);
                results.add(rebuild(rebuild, new ProjectionRebuild.Target(i, count, e.url(), e.user(), e.password()),
                        "rebuild shard " + i + " of " + count));
            } catch (RuntimeException e) {
                throw new IllegalStateException("rebuild of shard " + i + " failed (its live read model is unchanged); "
                        + "shards rebuilt before it: " + results.stream().map(ProjectionResult::shard).toList()
                        + ", not started: " + which.subList(which.indexOf(i) + 1, which.size())
                        + " (rebuild them with --shard): " + e.getMessage(), e);
            }
        }
        ShardedProjectionResult all = new ShardedProjectionResult("projection", count, results);
        print(all, out -> {
            out.printf("Read model rebuild of %s of %d shards%n", shard != null ? "shard " + shard : "all", count);
            results.forEach(r -> human(out, r, true));
        });
        return results.stream().allMatch(r -> r.switched() || dryRun) ? OK : FAILED;
    }

    /** Rebuilds one shard, or with {@code shard} null the unsharded read model exactly as before shards. */
    private ProjectionResult rebuild(ProjectionRebuild rebuild, ProjectionRebuild.Target shard, String label) {
        ProjectionRebuild.Summary summary;
        try (ProgressBar bar = progress(label, -1, "records")) {
            java.util.function.Consumer<ProjectionRebuild.Progress> shown = p -> {
                if (p.remaining() > 0) {
                    bar.total(p.records() + p.remaining());
                }
                bar.update(p.records(), p.phase());
            };
            summary = shard == null ? rebuild.run(shown, dryRun, dropRetired)
                    : rebuild.run(shard, shown, dryRun, dropRetired);
            bar.finish(summary.records(), dryRun ? "dry run" : "switched");
        }
        return new ProjectionResult("projection", summary.shard(), summary.liveSchema(), summary.rebuiltSchema(),
                summary.retiredSchema(), summary.records(), seconds(summary.took().toNanos()),
                summary.recordsPerSecond(), summary.switched(), summary.dryRun());
    }

    private int printed(ProjectionResult result) {
        print(result, out -> human(out, result, false));
        return result.switched() || dryRun ? OK : FAILED;
    }

    private void human(java.io.PrintWriter out, ProjectionResult result, boolean sharded) {
        out.printf("Read model rebuild of schema %s%s%s%n", result.liveSchema(),
                sharded ? " in shard " + result.shard() : "", dryRun ? " (dry run)" : "");
        if (dryRun) {
            out.printf("  records to read  %,d (nothing changed)%n", result.records());
            return;
        }
        out.printf("  records          %,d in %.1f s (%,.0f records/s)%n", result.records(), result.seconds(),
                result.recordsPerSecond());
        out.printf("  switched         %s (built as %s)%n", result.switched() ? "yes" : "no", result.rebuiltSchema());
        out.printf("  old schema       %s%n", result.retiredSchema() == null ? "dropped" : "kept as " + result.retiredSchema());
    }

    private int streams() throws InterruptedException {
        MetadataStreamsConfig base = MetadataStreamsConfig.fromEnvironment(env);
        String id = applicationId != null ? applicationId
                : base.applicationId() + "-rebuild-" + java.time.Instant.now().getEpochSecond();
        StreamsRebuild.Summary summary;
        try (ProgressBar bar = progress("rebuild streams " + id, -1, "lag")) {
            summary = new StreamsRebuild(base).rebuild(
                    new StreamsRebuild.Request(id, stateDir, outputSuffix, timeout, dryRun, !keepRunning),
                    p -> {
                        bar.total(p.inputRecords());
                        bar.update(Math.max(0, p.inputRecords() - p.lag()), p.state() + " lag " + p.lag());
                    });
            bar.finish(Math.max(0, summary.inputRecords() - summary.lag()), summary.caughtUp() ? "caught up" : "");
        }
        MetadataStreams running = summary.running();
        StreamsResult result = new StreamsResult("streams", id, outputSuffix, dryRun, summary.caughtUp(),
                summary.inputRecords(), summary.lag(), seconds(summary.elapsed().toNanos()), running != null);
        print(result, out -> {
            out.printf("Streams rebuild under application id %s%s%n", id, dryRun ? " (dry run)" : "");
            out.printf("  input records    %,d%n", result.inputRecords());
            if (!dryRun) {
                out.printf("  caught up        %s (lag %,d) in %.1f s%n", result.caughtUp() ? "yes" : "NO",
                        result.lag(), result.seconds());
                if (result.caughtUp()) {
                    out.printf("  next             set STREAMS_APPLICATION_ID=%s and restart the streams service%n", id);
                }
            }
        });
        if (running != null) {
            err().println("the rebuilt instance keeps running; SIGTERM or Ctrl-C stops it");
            err().flush();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                running.close();
                stopped.countDown();
            }, "rebuild-shutdown"));
            stopped.await();
        }
        return dryRun || summary.caughtUp() ? OK : FAILED;
    }
}
