package dev.filetrail.launcher.ops;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What one reconcile found and (with repair) emitted.
 *
 * @param differences        the first {@code reportLimit} differences; {@code differenceCount} counts all
 * @param repairEvents       events produced to fix differences (0 unless repair and not a dry run)
 * @param unrepaired         differences still standing after this run: all of them without repair (or in a dry
 *                           run), otherwise those no event can fix
 */
public record ReconcileReport(String bucket, String prefix, boolean repair, boolean dryRun, long keys,
                              long s3Entries, long filetrailEntries, long differenceCount,
                              Map<Difference.Kind, Long> byKind, long repairEvents, long unrepaired,
                              List<Difference> differences, boolean truncated, Duration took) {

    public boolean clean() {
        return differenceCount == 0;
    }
}
