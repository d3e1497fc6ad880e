package dev.filetrail.events.access;

import dev.filetrail.events.Topics;
import java.time.Instant;

/**
 * Something the query API gave out: a signed URL, or a share page opened. Written by the API to
 * {@code filetrail.access-events.v1} keyed {@code bucket/key} (co-partitioned with the other inputs, so the streams
 * count an opening on its link in the link's own task), kept forever as the audit trail of access.
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
        Instant occurredAt) {

    /** What was given out. SHARE_OPENED names its link; URL_ISSUED names one when the URL came from a share page. */
    public enum Type { URL_ISSUED, SHARE_OPENED }

    public String recordKey() {
        return Topics.objectKey(bucket, key);
    }
}
