package dev.filetrail.launcher.cli;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.files.AsOfSnapshots;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code filetrail snapshots}: the head snapshots behind as-of listings, listed and taken by hand. */
@Command(name = "snapshots", mixinStandardHelpOptions = true,
        description = {"Lists and takes the head snapshots that serve as-of listings (?asOf=): every key's head per "
                + "bucket at an instant. The API takes them on a schedule (AS_OF_SNAPSHOT_INTERVAL); take one here at "
                + "an instant in the past, e.g. after a rebuild, whose fresh schema has none. Configured by the query "
                + "API's variables (DATABASE_*, READ_MODEL_SHARDS).",
                "A bucket's keys are spread over the read-model shards, so both act on every shard."},
        subcommands = {SnapshotsCommand.ListSnapshots.class, SnapshotsCommand.Take.class})
final class SnapshotsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: list or take");
    }

    /** One shard's snapshot: what {@code list} and {@code take} print per shard. */
    record ShardSnapshot(int shard, Instant takenAt, boolean ready, Long keys) {
    }

    private static AsOfSnapshots snapshots(ApiConfig config, ShardPools shards, int i) {
        return new AsOfSnapshots(shards.shard(i), config.asOfSnapshots(), Clock.systemUTC(), new SimpleMeterRegistry(),
                Integer.toString(i));
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists a bucket's snapshots on every shard, oldest first: instant, ready or filling, keys.")
    static final class ListSnapshots extends OpsCommand {
        @Option(names = "--bucket", required = true, description = "The bucket.")
        String bucket;

        /** Every shard's snapshots of the bucket. */
        record Listing(String bucket, List<ShardSnapshot> snapshots) {
        }

        @Override
        public Integer call() {
            ApiConfig config = ApiConfig.fromMap(env);
            List<ShardSnapshot> all = new ArrayList<>();
            try (ShardPools shards = ShardPools.open(config, 2, "snapshots")) {
                for (int i = 0; i < shards.count(); i++) {
                    for (AsOfSnapshots.Snapshot s : snapshots(config, shards, i).snapshots(bucket)) {
                        all.add(new ShardSnapshot(i, s.takenAt(), s.ready(), s.keys()));
                    }
                }
            }
            print(new Listing(bucket, all), out -> {
                out.printf("%d snapshots of %s%n", all.size(), bucket);
                for (ShardSnapshot s : all) {
                    out.printf("shard %d  %s  %s  %s%n", s.shard(), s.takenAt(), s.ready() ? "ready" : "filling",
                            s.keys() == null ? "-" : String.format("%,d keys", s.keys()));
                }
            });
            return OK;
        }
    }

    @Command(name = "take", mixinStandardHelpOptions = true,
            description = "Takes (or finishes) a bucket's snapshot at --at on every shard, one shard after the other. "
                    + "An instant in the past is read from the history; changes since are marked, so listings at "
                    + "any later instant stay exact.")
    static final class Take extends OpsCommand {
        @Option(names = "--bucket", required = true, description = "The bucket.")
        String bucket;

        @Option(names = "--at", converter = TimeArgument.class, description = "The instant: ISO-8601, or an age such "
                + "as 3d (default: now). Not in the future.")
        Instant at;

        @Option(names = "--dry-run", description = "Counts the keys each shard's fill would read; writes nothing.")
        boolean dryRun;

        /** What was taken (or, with --dry-run, would be read), per shard. */
        record Taken(String bucket, Instant at, boolean dryRun, List<ShardSnapshot> shards, double seconds) {
        }

        @Override
        public Integer call() {
            Instant instant = at == null ? Instant.now() : at;
            if (instant.isAfter(Instant.now())) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--at is in the future (" + instant + "): a snapshot holds what was, not what will be");
            }
            ApiConfig config = ApiConfig.fromMap(env);
            long start = System.nanoTime();
            List<ShardSnapshot> taken = new ArrayList<>();
            try (ShardPools shards = ShardPools.open(config, 2, "snapshots")) {
                for (int i = 0; i < shards.count(); i++) {
                    AsOfSnapshots snapshots = snapshots(config, shards, i);
                    taken.add(dryRun ? new ShardSnapshot(i, instant, false, snapshots.keysToRead(bucket))
                            : new ShardSnapshot(i, instant, true, snapshots.take(bucket, instant)));
                }
            }
            Taken summary = new Taken(bucket, instant, dryRun, taken, seconds(System.nanoTime() - start));
            print(summary, out -> {
                out.printf(dryRun ? "dry run: a snapshot of %s at %s would read%n" : "snapshot of %s at %s taken in"
                        + " %.1f s%n", bucket, instant, summary.seconds());
                for (ShardSnapshot s : taken) {
                    out.printf(dryRun ? "shard %d  %,d keys ever seen%n" : "shard %d  %,d keys listed%n", s.shard(),
                            s.keys());
                }
            });
            return OK;
        }
    }
}
