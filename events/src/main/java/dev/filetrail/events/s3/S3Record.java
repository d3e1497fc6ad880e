package dev.filetrail.events.s3;

/**
 * One record of an S3 event notification with its fields as S3 wrote them, unchecked: {@code key} is still
 * form-URL-encoded ({@link S3Keys#decode}), times are text. The bridge checks every field into an
 * {@code ObjectEvent}; the Lambdas take only what a created version needs.
 */
public record S3Record(String eventVersion, String eventName, String eventTime, String region, String requester,
                       String sourceIp, String configurationId, String bucket, String key, String versionId,
                       String sequencer, String eTag, Long size, String transitionStorageClass, String accessTier,
                       String restoreExpiry, String restoreStorageClass) {
}
