package dev.filetrail.local.s3notify;

import java.time.Instant;

/** One change the local S3 made to one object, with what S3 puts into its notification. */
public record S3Change(String eventName, String bucket, String key, String versionId, Long size, String eTag,
                       String sequencer, Instant eventTime) {
}
