package dev.filetrail.lambda.image;

/** The bytes can never become a thumbnail (corrupt, too large, unsupported): a permanent, recorded failure. */
public final class ImageRejectedException extends Exception {
    public ImageRejectedException(String reason) {
        super(reason);
    }

    public ImageRejectedException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
