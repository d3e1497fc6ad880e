package dev.filetrail.events.processing;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.filetrail.events.Topics;
import java.time.Instant;
import java.util.List;

/**
 * What a Lambda processor derived from one object version: thumbnails and/or extracted metadata, or the reason
 * it could not. Published to SNS by the Lambdas and carried into {@code filetrail.processing-results.v1}.
 * {@code restoredFrom}: the version this one is a restored copy of, read from the object's
 * {@code x-amz-meta-filetrail-restored-from} (set by the API's restore), when it has one.
 */
public record ProcessingResult(
        String resultId,
        String processor,
        String bucket,
        String key,
        String versionId,
        Status status,
        String failureReason,
        String contentType,
        Integer width,
        Integer height,
        Long size,
        String sha256,
        ExifData exif,
        List<Thumbnail> thumbnails,
        Instant processedAt,
        String restoredFrom) {

    /** A result whose version names no restored-from source (every result written before restores existed). */
    public ProcessingResult(String resultId, String processor, String bucket, String key, String versionId,
                            Status status, String failureReason, String contentType, Integer width, Integer height,
                            Long size, String sha256, ExifData exif, List<Thumbnail> thumbnails, Instant processedAt) {
        this(resultId, processor, bucket, key, versionId, status, failureReason, contentType, width, height, size,
                sha256, exif, thumbnails, processedAt, null);
    }

    /** This result, saying the version is a restored copy of {@code sourceVersionId} (from its object metadata). */
    public ProcessingResult withRestoredFrom(String sourceVersionId) {
        return new ProcessingResult(resultId, processor, bucket, key, versionId, status, failureReason, contentType,
                width, height, size, sha256, exif, thumbnails, processedAt, sourceVersionId);
    }

    /** Marker field value that lets the bridge tell a result from an S3 notification arriving on one queue. */
    public static final String SCHEMA = "filetrail.processing-result.v1";

    public static final String THUMBNAILER = "thumbnailer";
    public static final String METADATA = "metadata";

    /** Outcome of one processor run on one version. */
    public enum Status { SUCCEEDED, FAILED, SKIPPED }

    public String recordKey() {
        return Topics.objectKey(bucket, key);
    }

    /** The schema marker, written into the JSON so the bridge recognises results. */
    @JsonProperty("schema")
    public String schema() {
        return SCHEMA;
    }
}
