package dev.filetrail.lambda.source;

/** The version named by the event no longer exists (deleted, or overwritten in an unversioned bucket). */
public final class SourceGoneException extends Exception {
    public SourceGoneException(String message, Throwable cause) {
        super(message, cause);
    }
}
