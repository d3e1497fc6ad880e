package dev.filetrail.launcher.ops;

/** Reported after each key compared (the caller throttles what it draws). */
public record ReconcileProgress(long keys, long s3Entries, long filetrailEntries, long differences) {
}
