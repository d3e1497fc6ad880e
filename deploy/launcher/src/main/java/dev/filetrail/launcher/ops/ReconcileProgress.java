package dev.filetrail.launcher.ops;

/**
 * Reported after each key S3 or the read model listed (the caller throttles what it draws).
 *
 * @param skippedKeys keys of other shards passed over when one shard is reconciled
 */
public record ReconcileProgress(long keys, long s3Entries, long filetrailEntries, long skippedKeys,
                                long differences) {
}
