package dev.filetrail.streams;

/** An input record the topology cannot act on: it is dead-lettered with this message as the reason, never retried. */
public final class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
