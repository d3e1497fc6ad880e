package dev.filetrail.events.history;

import dev.filetrail.events.Topics;
import java.time.Instant;

/**
 * One change to one version, with the version as it is after the change (as it was, for a removal) and the
 * object's head after it. The record never carries the whole history, so it does not grow with version count.
 * {@code removalReason}: for VERSION_REMOVED, why the version is gone ({@link #DELETED}, {@link #LIFECYCLE_EXPIRATION},
 * {@link #NONCURRENT_EXPIRATION}).
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
        Instant eventTime,
        String removalReason) {

    /** Why a VERSION_REMOVED version is gone: a permanent delete of the version. */
    public static final String DELETED = "deleted";
    /** ...a lifecycle rule expired the current version. */
    public static final String LIFECYCLE_EXPIRATION = "lifecycle-expiration";
    /** ...a lifecycle rule expired a noncurrent version. */
    public static final String NONCURRENT_EXPIRATION = "noncurrent-expiration";

    /** A change that removes nothing (or a removal recorded before reasons were). */
    public FileVersionChange(String changeId, ChangeType change, String bucket, String key, String versionId,
                             FileVersion version, FileHead head, String causeEventId, Instant eventTime) {
        this(changeId, change, bucket, key, versionId, version, head, causeEventId, eventTime, null);
    }

    public String recordKey() {
        return Topics.objectKey(bucket, key);
    }
}
