package dev.filetrail.lambda.source;

import dev.filetrail.lambda.image.ContentType;
import dev.filetrail.lambda.source.SourceVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Predicate;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Streams one source version from S3, hashing it as it goes and spooling it to a temporary file only when the
 * sniffed type is one the caller will decode. Nothing holds the whole object in memory.
 */
public final class SourceFetcher {
    private static final int BUFFER = 256 * 1024;

    private final S3Client s3;
    private final Path tempDir;

    /** The user-metadata name the query API's restore sets ({@code x-amz-meta-filetrail-restored-from}). */
    public static final String RESTORED_FROM = "filetrail-restored-from";

    public SourceFetcher(S3Client s3, Path tempDir) {
        this.s3 = s3;
        this.tempDir = tempDir;
    }

    /**
     * @param keepFile which sniffed types to copy to local disk (the rest is only hashed and counted)
     * @throws SourceGoneException when the version is gone: deleted, a delete marker, or replaced in an
     *                             unversioned bucket since the event
     */
    public FetchedObject fetch(SourceVersion source, Predicate<ContentType> keepFile) throws SourceGoneException {
        GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(source.bucket()).key(source.key());
        if (source.versionId() != null && !SourceVersion.NULL_VERSION.equals(source.versionId())) {
            request.versionId(source.versionId());
        } else if (source.eTag() != null) {
            // Unversioned: pin the bytes the event announced, so a later overwrite is not processed as this one.
            request.ifMatch('"' + source.eTag().replace("\"", "") + '"');
        }
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(request.build())) {
            FetchedObject fetched = copy(in, keepFile);
            // The API's restore names the copied version in the object's metadata (S3VersionActions.RESTORED_FROM).
            String restoredFrom = in.response().metadata().get(RESTORED_FROM);
            return restoredFrom == null ? fetched : new FetchedObject(fetched.contentType(), fetched.size(),
                    fetched.sha256(), fetched.file(), restoredFrom);
        } catch (S3Exception e) {
            if (isGone(e)) {
                throw new SourceGoneException("source version no longer exists (" + e.statusCode() + " "
                        + errorCode(e) + "): it was deleted or replaced before processing", e);
            }
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + source + " failed", e);
        }
    }

    private FetchedObject copy(InputStream in, Predicate<ContentType> keepFile) throws IOException {
        MessageDigest sha256 = sha256();
        byte[] head = in.readNBytes(ContentType.SNIFF_BYTES);
        sha256.update(head);
        long size = head.length;
        ContentType type = ContentType.sniff(head, head.length);
        byte[] buffer = new byte[BUFFER];
        if (!keepFile.test(type)) {
            for (int n; (n = in.read(buffer)) != -1; ) {
                sha256.update(buffer, 0, n);
                size += n;
            }
            return new FetchedObject(type, size, HexFormat.of().formatHex(sha256.digest()), null);
        }
        Path file = Files.createTempFile(tempDir, "filetrail-source-", ".bin");
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(head);
            for (int n; (n = in.read(buffer)) != -1; ) {
                sha256.update(buffer, 0, n);
                out.write(buffer, 0, n);
                size += n;
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return new FetchedObject(type, size, HexFormat.of().formatHex(sha256.digest()), file);
    }

    private static boolean isGone(S3Exception e) {
        String code = errorCode(e);
        return e.statusCode() == 404 || e.statusCode() == 412 || e.statusCode() == 405
                || "InvalidArgument".equals(code) && e.statusCode() == 400;
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
