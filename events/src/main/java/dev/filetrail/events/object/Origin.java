package dev.filetrail.events.object;

/**
 * Where an event entered Filetrail: the S3 notification path with its SQS and SNS message ids, or an
 * operator command (backfill, reconcile repair, DLQ redrive).
 */
public record Origin(String source, String sqsMessageId, String snsMessageId, String configurationId) {
    public static final String S3_NOTIFICATION = "s3-notification";
    public static final String BACKFILL = "backfill";
    public static final String RECONCILE = "reconcile";

    public static Origin of(String source) {
        return new Origin(source, null, null, null);
    }
}
