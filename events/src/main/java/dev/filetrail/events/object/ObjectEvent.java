package dev.filetrail.events.object;

import dev.filetrail.events.Topics;
import java.time.Instant;

/**
 * One S3 notification record in Filetrail's canonical form, as written to {@code filetrail.object-events.v1}.
 * {@code key} is decoded (S3 sends it form-URL-encoded); {@code versionId} is absent for unversioned buckets.
 */
public record ObjectEvent(
        String eventId,
        String bucket,
        String key,
        String versionId,
        String sequencer,
        ObjectEventType type,
        String eventName,
        Long size,
        String eTag,
        String storageClass,
        Instant eventTime,
        String region,
        String requester,
        String sourceIp,
        Instant restoreExpiryTime,
        String restoreStorageClass,
        Origin origin,
        Instant ingestedAt) {

    /** The Kafka record key. */
    public String recordKey() {
        return Topics.objectKey(bucket, key);
    }

    /** The id S3 itself uses for the single version of an object in an unversioned bucket. */
    public static final String NULL_VERSION = "null";

    /** This event's version id, with an absent one read as S3's {@value #NULL_VERSION} version. */
    public String versionOrNull() {
        return versionId == null || versionId.isEmpty() ? NULL_VERSION : versionId;
    }
}
