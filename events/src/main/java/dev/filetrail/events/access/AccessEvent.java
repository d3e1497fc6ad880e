package dev.filetrail.events.access;

import dev.filetrail.events.Topics;
import java.time.Instant;

/**
 * Something the query API gave out or did: a signed URL, a share page opened, a version restored, a file undeleted.
 * Written by the API to {@code filetrail.access-events.v1} keyed {@code bucket/key} (co-partitioned with the other
 * inputs, so the streams count an opening on its link in the link's own task), kept forever as the audit trail of
 * access and of the API's own writes.
 *
 * @param versionId    the version given out; for FILE_RESTORED the new version, for FILE_UNDELETED the removed marker
 * @param restoredFrom for FILE_RESTORED, the version that was copied (absent otherwise)
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
        String restoredFrom) {

    /**
     * What happened. SHARE_OPENED names its link; URL_ISSUED names one when the URL came from a share page;
     * FILE_RESTORED and FILE_UNDELETED are the API's write actions, with the API key as the actor.
     */
    public enum Type { URL_ISSUED, SHARE_OPENED, FILE_RESTORED, FILE_UNDELETED }

    /** An event of the kinds that name no source version (everything but FILE_RESTORED). */
    public AccessEvent(String eventId, Type type, String linkId, String bucket, String key, String versionId,
                       Instant expiresAt, String actor, String clientAddress, Instant occurredAt) {
        this(eventId, type, linkId, bucket, key, versionId, expiresAt, actor, clientAddress, occurredAt, null);
    }

    public String recordKey() {
        return Topics.objectKey(bucket, key);
    }
}
