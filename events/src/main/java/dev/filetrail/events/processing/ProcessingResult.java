package dev.filetrail.events.processing;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.filetrail.events.Topics;
import java.time.Instant;
import java.util.List;

/**
 * What a Lambda processor derived from one object version: thumbnails and/or extracted metadata, or the reason
 * it could not. Published to SNS by the Lambdas and carried into {@code filetrail.processing-results.v1}.
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
        Instant processedAt) {

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
