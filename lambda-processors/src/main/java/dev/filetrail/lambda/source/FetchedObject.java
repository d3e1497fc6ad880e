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
 * @param file the local copy, or null when the caller did not want one for this content type
 */
public record FetchedObject(ContentType contentType, long size, String sha256, Path file) implements AutoCloseable {
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
