package dev.filetrail.events.history;

import java.time.Instant;

/**
 * The head of one object after a change: its current version, or that it is deleted (newest entry is a delete
 * marker), with counts of what its history holds. Written alone, compacted, to {@code filetrail.files.v1}.
 */
public record FileHead(
        String bucket,
        String key,
        boolean deleted,
        String currentVersionId,
        long versionCount,
        long deleteMarkerCount,
        Long size,
        String eTag,
        String contentType,
        String storageClass,
        Instant lastModified,
        String latestVersionId) {

    /** Whether the object has any history left at all; a head with none is a tombstone on the compacted topic. */
    public boolean exists() {
        return versionCount + deleteMarkerCount > 0;
    }
}
