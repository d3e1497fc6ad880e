package dev.filetrail.launcher.cli;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.bridge.AwsClients;
import dev.filetrail.bridge.BridgeConfig;
import dev.filetrail.bridge.kafka.BridgeProducer;
import dev.filetrail.launcher.ops.Difference;
import dev.filetrail.launcher.ops.ReconcileReport;
import dev.filetrail.launcher.ops.Reconciler;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
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
        AtomicReference<BridgeProducer> producer = new AtomicReference<>();
        ReconcileReport report;
        try (S3Client s3 = AwsClients.s3(bridge, AwsClients.OPS);
             ShardPools readModel = ShardPools.open(api, 2, "reconcile")) {
            Reconciler reconciler = new Reconciler(s3, readModel.all(), () -> producer.updateAndGet(p -> p != null
                    ? p : BridgeProducer.connect(bridge.kafka(), bridge.kafkaDeliveryTimeoutMs(),
                    "filetrail-reconcile")), bridge.region(), Clock.systemUTC());
            report = reconcile(reconciler, repair);
            if (repair && !dryRun && wait != null && !report.clean()) {
                report = awaitClean(reconciler, report);
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

    private ReconcileReport reconcile(Reconciler reconciler, boolean withRepair) {
        try (ProgressBar bar = progress("reconcile " + bucket, -1, "keys")) {
            ReconcileReport report = reconciler.run(bucket, prefix, withRepair, dryRun, limit,
                    p -> bar.update(p.keys(), p.differences() + " differences"));
            bar.finish(report.keys(), report.differenceCount() + " differences");
            return report;
        }
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
        return new ReconcileReport(last.bucket(), last.prefix(), true, false, last.keys(), last.s3Entries(),
                last.filetrailEntries(), last.differenceCount(), last.byKind(), repaired.repairEvents(),
                last.differenceCount(), last.differences(), last.truncated(), last.took());
    }

    private void human(java.io.PrintWriter out, ReconcileReport r) {
        out.printf("Reconcile of s3://%s/%s%s%n", r.bucket(), r.prefix() == null ? "" : r.prefix(),
                r.repair() ? (r.dryRun() ? " (repair, dry run)" : " (repair)") : "");
        out.printf("  keys compared    %,d (S3 %,d entries, Filetrail %,d)%n", r.keys(), r.s3Entries(),
                r.filetrailEntries());
        if (r.clean()) {
            out.println("  no differences: Filetrail's history equals ListObjectVersions");
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
