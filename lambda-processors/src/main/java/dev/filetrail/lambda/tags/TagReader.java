package dev.filetrail.lambda.tags;

import dev.filetrail.lambda.source.SourceVersion;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectTaggingRequest;
import software.amazon.awssdk.services.s3.model.GetObjectTaggingResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Reads one version's S3 object tags with GetObjectTagging, naming the versionId (IAM: s3:GetObjectVersionTagging;
 * only an unversioned object is read without one, which needs s3:GetObjectTagging). S3 answers the version's
 * tags as they are now, so the answer is stamped with the moment the request was sent: every tagging change S3
 * had completed by then is in it.
 */
public final class TagReader {
    private final S3Client s3;
    private final Clock clock;

    /** A version's tags (empty map: none) and when S3 was asked for them. */
    public record VersionTags(Map<String, String> tags, Instant fetchedAt) {
    }

    public TagReader(S3Client s3, Clock clock) {
        this.s3 = s3;
        this.clock = clock;
    }

    /**
     * @return the tags, or empty when the version is gone (deleted, a delete marker): there is nothing to tag
     * @throws TagsUnreadableException when S3 refuses the request for good (a 4xx other than 404, 405 and 429:
     *                                 access denied, a request it cannot serve); retrying would loop
     * @throws S3Exception for anything else (throttling, 5xx), which the caller retries
     */
    public Optional<VersionTags> read(SourceVersion source) {
        GetObjectTaggingRequest.Builder request = GetObjectTaggingRequest.builder().bucket(source.bucket())
                .key(source.key());
        if (source.versionId() != null && !source.versionId().isEmpty()) {
            request.versionId(source.versionId());
        }
        Instant askedAt = clock.instant();
        GetObjectTaggingResponse response;
        try {
            response = s3.getObjectTagging(request.build());
        } catch (S3Exception e) {
            // 404 NoSuchKey/NoSuchVersion, or 405 for a delete marker: the version is not there to have tags.
            if (e.statusCode() == 404 || e.statusCode() == 405) {
                return Optional.empty();
            }
            if (e.statusCode() >= 400 && e.statusCode() < 500 && e.statusCode() != 429) {
                throw new TagsUnreadableException("tags unreadable (" + e.statusCode() + " "
                        + (e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode()) + ")", e);
            }
            throw e;
        }
        Map<String, String> tags = new TreeMap<>();
        response.tagSet().forEach(tag -> tags.put(tag.key(), tag.value()));
        return Optional.of(new VersionTags(tags, askedAt));
    }

    /** S3 refused to read the tags in a way a retry cannot change. */
    public static final class TagsUnreadableException extends RuntimeException {
        public TagsUnreadableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
