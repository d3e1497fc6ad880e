package dev.filetrail.launcher.cli;

import dev.filetrail.bridge.BridgeConfig;
import dev.filetrail.bridge.backfill.Backfill;
import dev.filetrail.bridge.backfill.BackfillSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code filetrail backfill}: a bucket's existing versions and delete markers into the event log. */
@Command(name = "backfill", mixinStandardHelpOptions = true,
        description = {"Reads ListObjectVersions of a bucket (every version and delete marker) and emits one ObjectEvent "
                + "each to filetrail.object-events.v1, so a bucket that existed before Filetrail gets its full history.",
                "Event ids depend only on what S3 lists: a re-run, or a live event for the same version, is the same "
                        + "fact and is never doubled.",
                "Configured by the ingest bridge's variables (KAFKA_BOOTSTRAP_SERVERS, S3_ENDPOINT, AWS_*)."})
final class BackfillCommand extends OpsCommand {
    @Option(names = "--bucket", required = true, description = "The bucket to backfill.")
    String bucket;

    @Option(names = "--prefix", description = "Only keys under this prefix.")
    String prefix;

    @Option(names = "--page-size", defaultValue = "1000", description = "Keys per ListObjectVersions page (1..1000, default ${DEFAULT-VALUE}).")
    int pageSize;

    @Option(names = "--dry-run", description = "List and count, produce nothing.")
    boolean dryRun;

    /** The summary with its rate, as printed. */
    record Result(String bucket, String prefix, boolean dryRun, long pages, long versions, long deleteMarkers,
                  long produced, double seconds, double versionsPerSecond) {
    }

    @Override
    public Integer call() {
        if (pageSize < 1 || pageSize > 1000) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--page-size must be 1..1000");
        }
        BridgeConfig config = BridgeConfig.from(env::get);
        long started = System.nanoTime();
        BackfillSummary summary;
        try (Backfill backfill = Backfill.fromConfig(config).withPageSize(pageSize);
             ProgressBar bar = progress("backfill " + bucket, -1, "entries")) {
            summary = backfill.run(bucket, prefix, dryRun, p -> bar.update(p.versions() + p.deleteMarkers(),
                    p.lastKey()));
            bar.finish(summary.events(), dryRun ? "dry run" : "done");
        }
        long took = System.nanoTime() - started;
        Result result = new Result(summary.bucket(), summary.prefix(), dryRun, summary.pages(), summary.versions(),
                summary.deleteMarkers(), summary.produced(), seconds(took), perSecond(summary.events(), took));
        print(result, out -> {
            out.printf("Backfill of s3://%s/%s%s%n", bucket, prefix == null ? "" : prefix, dryRun ? " (dry run)" : "");
            out.printf("  pages read       %,d%n", result.pages());
            out.printf("  versions         %,d%n", result.versions());
            out.printf("  delete markers   %,d%n", result.deleteMarkers());
            out.printf("  events produced  %,d%s%n", result.produced(), dryRun ? " (dry run: none)" : "");
            out.printf("  took             %.1f s (%,.0f entries/s)%n", result.seconds(), result.versionsPerSecond());
        });
        return OK;
    }
}
