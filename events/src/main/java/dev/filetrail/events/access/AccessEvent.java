package dev.filetrail.events.access;

import dev.filetrail.events.Topics;
import java.time.Instant;
import java.util.Map;

/**
 * Something the query API gave out or did: a signed URL, a share page opened, a version restored, a file undeleted,
 * a rewind job started, stopped, resumed or finished and each of its actions.
 * Written by the API to {@code filetrail.access-events.v1} keyed {@code bucket/key} (co-partitioned with the other
 * inputs, so the streams count an opening on its link in the link's own task), kept forever as the audit trail of
 * access and of the API's own writes.
 *
 * @param key          the object's key; for the REWIND_* job events the job's prefix (empty for a whole bucket)
 * @param versionId    the version given out; for FILE_RESTORED the new version, for FILE_UNDELETED the removed marker,
 *                     for FILE_DELETED the delete marker placed
 * @param restoredFrom for FILE_RESTORED, the version that was copied (absent otherwise)
 * @param rewind       for the REWIND_* job events and for the actions a rewind took (FILE_RESTORED, FILE_DELETED),
 *                     the job (absent otherwise)
 */
public record AccessEvent(
        String eventId,
        Type type,
        String linkId,
        String bucket,
        String key,
        String versionId,
        Instant expiresAt,
        String actor,
        String clientAddress,
        Instant occurredAt,
        String restoredFrom,
        Rewind rewind) {

    /**
     * What happened. SHARE_OPENED names its link; URL_ISSUED names one when the URL came from a share page;
     * FILE_RESTORED, FILE_UNDELETED and FILE_DELETED (a delete marker a rewind placed) are the API's write actions,
     * with the API key as the actor; REWIND_STARTED, REWIND_STOPPED, REWIND_RESUMED and REWIND_FINISHED are a rewind
     * job's life, keyed by its prefix.
     */
    public enum Type {
        URL_ISSUED, SHARE_OPENED, FILE_RESTORED, FILE_UNDELETED, FILE_DELETED,
        REWIND_STARTED, REWIND_STOPPED, REWIND_RESUMED, REWIND_FINISHED;

        /** True for a rewind job's own events (keyed by its prefix rather than one object's key). */
        public boolean rewindJob() {
            return this == REWIND_STARTED || this == REWIND_STOPPED || this == REWIND_RESUMED
                    || this == REWIND_FINISHED;
        }
    }

    /**
     * The rewind job an event is about or came from.
     *
     * @param planned its plan's actions by kind (restore, delete, keep): on the job events
     * @param actions its actions by state (pending, started, done, failed, skipped): on REWIND_STOPPED, REWIND_FINISHED
     */
    public record Rewind(String id, String prefix, Instant to, Map<String, Long> planned, Map<String, Long> actions) {
    }

    /** An event of the kinds that name no source version (everything but FILE_RESTORED) and no rewind. */
    public AccessEvent(String eventId, Type type, String linkId, String bucket, String key, String versionId,
                       Instant expiresAt, String actor, String clientAddress, Instant occurredAt) {
        this(eventId, type, linkId, bucket, key, versionId, expiresAt, actor, clientAddress, occurredAt, null, null);
    }

    /** An event that is not about a rewind. */
    public AccessEvent(String eventId, Type type, String linkId, String bucket, String key, String versionId,
                       Instant expiresAt, String actor, String clientAddress, Instant occurredAt, String restoredFrom) {
        this(eventId, type, linkId, bucket, key, versionId, expiresAt, actor, clientAddress, occurredAt, restoredFrom,
                null);
    }

    public String recordKey() {
        return Topics.objectKey(bucket, key);
    }
}
