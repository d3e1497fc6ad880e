package dev.filetrail.bridge.backfill;

/** Progress after each ListObjectVersions page, for the ops command to print. */
public record BackfillProgress(long pages, long versions, long deleteMarkers, long produced, String lastKey) {
}
