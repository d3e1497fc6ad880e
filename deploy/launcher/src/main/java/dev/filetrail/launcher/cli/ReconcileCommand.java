package dev.filetrail.launcher.cli;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.ReadModelDatabase;
import dev.filetrail.api.shards.ReadModelShards;
import dev.filetrail.bridge.AwsClients;
import dev.filetrail.bridge.BridgeConfig;
import dev.filetrail.bridge.kafka.BridgeProducer;
import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.RequiredTopics;
import dev.filetrail.launcher.ops.Difference;
import dev.filetrail.launcher.ops.ReconcileReport;
import dev.filetrail.launcher.ops.Reconciler;
import dev.filetrail.launcher.ops.ShardScope;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code filetrail reconcile}: Filetrail's history of a bucket against S3's ListObjectVersions. */
@Command(name = "reconcile", mixinStandardHelpOptions = true,
        description = {"Compares Filetrail's history of a bucket (the read model) with S3's ListObjectVersions and reports "
                + "every difference: missing version (in S3, not in Filetrail), extra version (in Filetrail, not in S3), "
                + "wrong current version, wrong storage class.",
                "--repair emits the ObjectEvents that fix them (origin reconcile, deterministic ids: a repeated repair "
                        + "is dropped as a duplicate); the report clears once the pipeline has caught up.",
                "Configured by the query API's DATABASE_* variables and the bridge's S3_ENDPOINT, AWS_* and "
                        + "KAFKA_BOOTSTRAP_SERVERS. With READ_MODEL_SHARDS, every shard is read and merged by key "
                        + "(each key lives in one shard); repairs go to the object-events topic as always.",
                "--shard I reconciles shard I alone: S3's listing is filtered to the keys whose shard is I (the "
                        + "others are counted as skipped) and only shard I's database is read; rows in it of another "
                        + "shard's key are reported as wrong shard, which no event repairs.",
                "Exit code 3 when differences were found and are not (all) repaired."})
final class ReconcileCommand extends OpsCommand {
    @Option(names = "--bucket", required = true, description = "The bucket to reconcile.")
    String bucket;

    @Option(names = "--prefix", description = "Only keys under this prefix.")
    String prefix;

    @Option(names = "--repair", description = "Emit the events that fix the differences.")
    boolean repair;

    @Option(names = "--dry-run", description = "With --repair: report what would be repaired, emit nothing.")
    boolean dryRun;

    @Option(names = "--shard", paramLabel = "I", description = "With READ_MODEL_SHARDS: reconcile shard I (0-based) "
            + "alone; S3's keys of other shards are listed but skipped. Default: every shard, merged by key.")
    Integer shard;

    @Option(names = "--limit", defaultValue = "1000", description = "Differences listed in the report (all are counted; "
            + "default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--wait", description = "With --repair: then reconcile again until the report is clean or this "
            + "much time passed (ISO-8601 duration, e.g. PT2M); exit 3 if it never clears.")
    Duration wait;

    @Override
    public Integer call() throws Exception {
        BridgeConfig bridge = BridgeConfig.from(env::get);
        ApiConfig api = ApiConfig.fromMap(env);
        if (shard != null) {
            ShardOption.check(spec, shard, api);
        }
        AtomicReference<BridgeProducer> producer = new AtomicReference<>();
        Supplier<BridgeProducer> repairs = () -> producer.updateAndGet(p -> p != null ? p
                : BridgeProducer.connect(bridge.kafka(), bridge.kafkaDeliveryTimeoutMs(), "filetrail-reconcile"));
        ReconcileReport report;
        try (S3Client s3 = AwsClients.s3(bridge, AwsClients.OPS)) {
            if (shard == null) {
                try (ShardPools readModel = ShardPools.open(api, 2, "reconcile")) {
                    report = reconcileAndWait(new Reconciler(s3, readModel.all(), repairs, bridge.region(),
                            Clock.systemUTC()));
                }
            } else {
                ShardScope scope = new ShardScope(shard, api.shardEndpoints().size(), projectedPartitions(api));
                try (ReadModelDatabase database = ShardPools.openShard(api, shard, 2, "reconcile")) {
                    report = reconcileAndWait(new Reconciler(s3, database.dataSource(), scope, repairs,
                            bridge.region(), Clock.systemUTC()));
                }
            }
        } finally {
            if (producer.get() != null) {
                producer.get().close();
            }
        }
        ReconcileReport shown = report;
        print(shown, out -> human(out, shown));
        boolean settled = wait != null && repair && !dryRun ? shown.clean() : shown.unrepaired() == 0;
        return settled ? OK : FiletrailCommand.FOUND_DIFFERENCES;
    }

    private ReconcileReport reconcileAndWait(Reconciler reconciler) throws InterruptedException {
        ReconcileReport report = reconcile(reconciler, repair);
        if (repair && !dryRun && wait != null && !report.clean()) {
            report = awaitClean(reconciler, report);
        }
        return report;
    }

    /**
     * The partition count the shard rule reads: the projected per-file topics', as the projector checks them at
     * start. With one shard every key is shard 0's and Kafka is not asked, so a report still needs no Kafka.
     */
    private int projectedPartitions(ApiConfig api) {
        int shards = api.shardEndpoints().size();
        if (shards == 1) {
            return 0;
        }
        List<String> topics = List.of(Topics.FILE_VERSIONS.name(), Topics.FILES.name());
        Map<String, Integer> counts;
        try (Admin admin = api.kafka().newAdmin()) {
            counts = RequiredTopics.verify(admin, topics);
        }
        // The projector's own check at start: what it refuses to project, no shard can be reconciled against.
        ReadModelShards.requireAligned(shards, counts, topics);
        return counts.get(Topics.FILE_VERSIONS.name());
    }

    private ReconcileReport reconcile(Reconciler reconciler, boolean withRepair) {
        String label = "reconcile " + bucket + (shard == null ? "" : " shard " + shard);
        try (ProgressBar bar = progress(label, -1, "keys")) {
            ReconcileReport report = reconciler.run(bucket, prefix, withRepair, dryRun, limit,
                    p -> bar.update(p.keys(), detail(p.differences(), p.skippedKeys())));
            bar.finish(report.keys(), detail(report.differenceCount(), report.skippedKeys()));
            return report;
        }
    }

    private String detail(long differences, long skippedKeys) {
        return differences + " differences" + (shard == null ? "" : ", " + skippedKeys + " keys of other shards skipped");
    }

    /** Re-checks (without repairing again) until the repaired drift has flowed through the pipeline. */
    private ReconcileReport awaitClean(Reconciler reconciler, ReconcileReport repaired) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        ReconcileReport last = repaired;
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            last = reconcile(reconciler, false);
            if (last.clean()) {
                break;
            }
        }
        err().printf("after repair: %,d differences remain%n", last.differenceCount());
        err().flush();
        return last.afterRepair(repaired);
    }

    private void human(java.io.PrintWriter out, ReconcileReport r) {
        out.printf("Reconcile of s3://%s/%s%s%s%n", r.bucket(), r.prefix() == null ? "" : r.prefix(),
                r.shard() == null ? "" : " in shard " + r.shard() + " of " + r.shards(),
                r.repair() ? (r.dryRun() ? " (repair, dry run)" : " (repair)") : "");
        out.printf("  keys compared    %,d (S3 %,d entries, Filetrail %,d)%n", r.keys(), r.s3Entries(),
                r.filetrailEntries());
        if (r.shard() != null) {
            out.printf("  keys skipped     %,d of other shards (S3 %,d entries): listed, not compared%n",
                    r.skippedKeys(), r.skippedS3Entries());
        }
        if (r.clean()) {
            out.println(r.shard() == null ? "  no differences: Filetrail's history equals ListObjectVersions"
                    : "  no differences: shard " + r.shard() + "'s history equals ListObjectVersions of its keys");
            return;
        }
        out.printf("  differences      %,d%n", r.differenceCount());
        for (Map.Entry<Difference.Kind, Long> e : r.byKind().entrySet()) {
            out.printf("    %-22s %,d%n", e.getKey().name().toLowerCase().replace('_', ' '), e.getValue());
        }
        for (Difference d : r.differences()) {
            out.println("  " + d.describe());
        }
        if (r.truncated()) {
            out.printf("  ... (%,d more; raise --limit to list them)%n", r.differenceCount() - r.differences().size());
        }
        if (r.repair() && !r.dryRun()) {
            out.printf("  repair events    %,d produced to filetrail.object-events.v1%n", r.repairEvents());
        } else if (r.repair()) {
            out.println("  repair           dry run: nothing produced");
        } else {
            out.println("  repair           run again with --repair to emit the fixing events");
        }
        if (r.unrepaired() > 0 && r.repair() && !r.dryRun()) {
            out.printf("  not repaired     %,d (see OPS.md: a wrong order no event can fix needs a rebuild)%n",
                    r.unrepaired());
        }
    }
}
