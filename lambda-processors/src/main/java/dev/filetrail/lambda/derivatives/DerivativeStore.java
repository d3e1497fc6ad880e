package dev.filetrail.lambda.derivatives;

import dev.filetrail.events.Json;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.events.processing.Thumbnail;
import dev.filetrail.lambda.source.SourceVersion;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Reads and writes derivatives in the derivatives bucket. Each object carries user metadata naming its source
 * (bucket, key, versionId), and each processed version ends with a {@code result.json} written last, so a
 * re-delivered event finds the finished work and republishes it instead of redoing it.
 */
public final class DerivativeStore {
    public static final String SOURCE_BUCKET = "source-bucket";
    public static final String SOURCE_KEY = "source-key";
    public static final String SOURCE_VERSION_ID = "source-version-id";
    public static final String PROCESSOR = "processor";

    private final S3Client s3;
    private final String bucket;

    public DerivativeStore(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    public String bucket() {
        return bucket;
    }

    /**
     * The result published when this version was last processed, if it and every thumbnail it lists still
     * exist; empty means the work must be (re)done.
     */
    public Optional<ProcessingResult> finishedResult(String kind, SourceVersion source) {
        ResponseBytes<GetObjectResponse> stored;
        try {
            stored = s3.getObjectAsBytes(GetObjectRequest.builder()
                    .bucket(bucket).key(DerivativeKeys.result(kind, source)).build());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
        ProcessingResult result;
        try {
            result = Json.read(stored.asByteArray(), ProcessingResult.class);
        } catch (UncheckedIOException e) {
            return Optional.empty();
        }
        if (result.thumbnails() != null) {
            for (Thumbnail thumbnail : result.thumbnails()) {
                if (!exists(thumbnail.bucket(), thumbnail.key())) {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(result);
    }

    public void putThumbnail(String key, byte[] bytes, String contentType, SourceVersion source, String processor) {
        s3.putObject(PutObjectRequest.builder()
                        .bucket(bucket)
                        .key(key)
                        .contentType(contentType)
                        .cacheControl("public, max-age=31536000, immutable")
                        .metadata(sourceMetadata(source, processor))
                        .build(),
                RequestBody.fromBytes(bytes));
    }

    /** Writes the result last, as the marker that every derivative before it is in place. */
    public void putResult(String kind, SourceVersion source, ProcessingResult result) {
        s3.putObject(PutObjectRequest.builder()
                        .bucket(bucket)
                        .key(DerivativeKeys.result(kind, source))
                        .contentType("application/json")
                        .metadata(sourceMetadata(source, result.processor()))
                        .build(),
                RequestBody.fromString(Json.writeString(result), StandardCharsets.UTF_8));
    }

    private boolean exists(String objectBucket, String key) {
        try {
            s3.headObject(HeadObjectRequest.builder().bucket(objectBucket).key(key).build());
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** User metadata pointing back to the source; the key is percent-encoded because headers are ASCII. */
    static Map<String, String> sourceMetadata(SourceVersion source, String processor) {
        Map<String, String> metadata = new HashMap<>();
        metadata.put(SOURCE_BUCKET, source.bucket());
        metadata.put(SOURCE_KEY, DerivativeKeys.encode(source.key()));
        metadata.put(SOURCE_VERSION_ID, source.versionOrNull());
        metadata.put(PROCESSOR, processor);
        return metadata;
    }
}
