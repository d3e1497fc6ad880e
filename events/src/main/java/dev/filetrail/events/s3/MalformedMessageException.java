package dev.filetrail.events.s3;

/** A message the bridge cannot turn into events; its message is the reason stored with the dead letter. */
public final class MalformedMessageException extends RuntimeException {
    public MalformedMessageException(String reason) {
        super(reason);
    }

    public MalformedMessageException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
