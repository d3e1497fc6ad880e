package dev.filetrail.events.history;

import dev.filetrail.events.Topics;
import java.time.Instant;

/**
 * One change to one version, with the version as it is after the change (as it was, for a removal) and the
 * object's head after it. The record never carries the whole history, so it does not grow with version count.
 */
public record FileVersionChange(
        String changeId,
        ChangeType change,
        String bucket,
        String key,
        String versionId,
        FileVersion version,
        FileHead head,
        String causeEventId,
        Instant eventTime) {

    public String recordKey() {
        return Topics.objectKey(bucket, key);
    }
}
