package dev.filetrail.launcher.ops;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What one reconcile found and (with repair) emitted.
 *
 * @param shard              the one shard reconciled, or null when every shard was read
 * @param shards             how many shards the read model has
 * @param keys               keys compared: with {@code shard}, only that shard's
 * @param skippedKeys        keys S3 listed that are other shards' (0 without {@code shard}): listed, not compared
 * @param skippedS3Entries   those keys' versions and delete markers
 * @param differences        the first {@code reportLimit} differences; {@code differenceCount} counts all
 * @param repairEvents       events produced to fix differences (0 unless repair and not a dry run)
 * @param unrepaired         differences still standing after this run: all of them without repair (or in a dry
 *                           run), otherwise those no event can fix
 */
public record ReconcileReport(String bucket, String prefix, Integer shard, int shards, boolean repair,
                              boolean dryRun, long keys, long s3Entries, long filetrailEntries, long skippedKeys,
                              long skippedS3Entries, long differenceCount, Map<Difference.Kind, Long> byKind,
                              long repairEvents, long unrepaired, List<Difference> differences, boolean truncated,
                              Duration took) {

    public boolean clean() {
        return differenceCount == 0;
    }

    /**
     * This report, a re-check after a repair, as the outcome of that repair: the repair's events, and whatever still
     * differs counted as not repaired.
     */
    public ReconcileReport afterRepair(ReconcileReport repaired) {
        return new ReconcileReport(bucket, prefix, shard, shards, true, false, keys, s3Entries, filetrailEntries,
                skippedKeys, skippedS3Entries, differenceCount, byKind, repaired.repairEvents(), differenceCount,
                differences, truncated, took);
    }
}
