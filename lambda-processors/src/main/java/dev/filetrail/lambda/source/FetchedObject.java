package dev.filetrail.lambda.source;

import dev.filetrail.lambda.image.ContentType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A source version read once from S3: its sniffed type, size and SHA-256, and (when asked for) a temporary copy
 * on local disk to decode from. Closing deletes the copy.
 *
 * @param file         the local copy, or null when the caller did not want one for this content type
 * @param restoredFrom the version the API's restore copied this one from ({@code x-amz-meta-filetrail-restored-from})
 */
public record FetchedObject(ContentType contentType, long size, String sha256, Path file, String restoredFrom)
        implements AutoCloseable {
    /** An object that is no restored copy. */
    public FetchedObject(ContentType contentType, long size, String sha256, Path file) {
        this(contentType, size, sha256, file, null);
    }

    @Override
    public void close() {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete temporary copy " + file, e);
            }
        }
    }
}
