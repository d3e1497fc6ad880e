package dev.filetrail.streams.history;

import dev.filetrail.events.history.FileHead;
import java.time.Instant;

/** Told about history changes that other state (share links) depends on. */
public interface HistoryListener {
    /** The object's current version or deleted state changed. */
    void currentChanged(String objectKey, FileHead before, FileHead after, Instant at, String causeId);

    /** One version (or delete marker) was permanently removed. */
    void versionRemoved(String objectKey, String versionId, Instant at, String causeId);

    HistoryListener NONE = new HistoryListener() {
        @Override
        public void currentChanged(String objectKey, FileHead before, FileHead after, Instant at, String causeId) {
        }

        @Override
        public void versionRemoved(String objectKey, String versionId, Instant at, String causeId) {
        }
    };
}
