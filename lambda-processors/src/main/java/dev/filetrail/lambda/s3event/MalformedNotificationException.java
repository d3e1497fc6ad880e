package dev.filetrail.lambda.s3event;

/** A message that is not an S3 notification (or SNS envelope of one): retrying cannot fix it. */
public final class MalformedNotificationException extends RuntimeException {
    public MalformedNotificationException(String message) {
        super(message);
    }

    public MalformedNotificationException(String message, Throwable cause) {
        super(message, cause);
    }
}
