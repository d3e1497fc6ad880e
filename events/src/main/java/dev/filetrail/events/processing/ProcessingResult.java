package dev.filetrail.events.processing;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.filetrail.events.Topics;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a Lambda processor derived from one object version: thumbnails and/or extracted metadata, or the reason
 * it could not. Published to SNS by the Lambdas and carried into {@code filetrail.processing-results.v1}.
 * {@code restoredFrom}: the version this one is a restored copy of, read from the object's
 * {@code x-amz-meta-filetrail-restored-from} (set by the API's restore), when it has one.
 * {@code tags}: the version's S3 object tags as GetObjectTagging answered at {@code tagsFetchedAt} (empty map: no
 * tags); null when the processor did not read them. Processor {@link #TAGS} results carry only these.
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
        String restoredFrom,
        Map<String, String> tags,
        Instant tagsFetchedAt) {

    /** A result that carries no tags (every result written before tags were fetched). */
    public ProcessingResult(String resultId, String processor, String bucket, String key, String versionId,
                            Status status, String failureReason, String contentType, Integer width, Integer height,
                            Long size, String sha256, ExifData exif, List<Thumbnail> thumbnails, Instant processedAt,
                            String restoredFrom) {
        this(resultId, processor, bucket, key, versionId, status, failureReason, contentType, width, height, size,
                sha256, exif, thumbnails, processedAt, restoredFrom, null, null);
    }

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
                width, height, size, sha256, exif, thumbnails, processedAt, sourceVersionId, tags, tagsFetchedAt);
    }

    /** This result, carrying the version's tags as S3 answered them at {@code fetchedAt}. */
    public ProcessingResult withTags(Map<String, String> versionTags, Instant fetchedAt) {
        return new ProcessingResult(resultId, processor, bucket, key, versionId, status, failureReason, contentType,
                width, height, size, sha256, exif, thumbnails, processedAt, restoredFrom,
                versionTags == null ? null
                        : java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(versionTags)), fetchedAt);
    }

    /** Marker field value that lets the bridge tell a result from an S3 notification arriving on one queue. */
    public static final String SCHEMA = "filetrail.processing-result.v1";

    public static final String THUMBNAILER = "thumbnailer";
    public static final String METADATA = "metadata";
    /** The metadata Lambda's answer to a tagging event: only the version's tags. */
    public static final String TAGS = "tags";

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
