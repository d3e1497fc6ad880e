package dev.filetrail.bridge.backfill;

/** What one backfill run read and (unless a dry run) produced. */
public record BackfillSummary(String bucket, String prefix, boolean dryRun, long pages, long versions,
                              long deleteMarkers, long produced) {
    public long events() {
        return versions + deleteMarkers;
    }
}
