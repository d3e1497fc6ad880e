package dev.filetrail.api.restore;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.TaggingDirective;

/**
 * The API's writes to S3: copy an old version onto its key (one {@code CopyObject} up to the multipart threshold,
 * {@code UploadPartCopy} ranges above it, since S3 copies at most 5 GB in one request), and remove a delete marker
 * by its version id. Every copy carries {@value #RESTORED_FROM} in its object metadata, so the processors can tell
 * history where the new version came from, whoever reads it later (the notification, a backfill, a reprocess).
 * Every copy keeps the source version's tags, as a restore should give back the version as it was: {@code CopyObject}
 * copies them itself (S3's {@code COPY} tagging directive), while a multipart copy's parts carry none, so they are
 * read from the source and named when the upload is created. In AWS both ways need the role to read the source's
 * tags and to put tags ({@code s3:GetObjectVersionTagging}, {@code s3:PutObjectTagging}); without them S3 refuses
 * the copy of a tagged version outright.
 */
public final class S3VersionActions {
    private static final Logger log = LoggerFactory.getLogger(S3VersionActions.class);
    /** The user-metadata name (S3 sends it as {@code x-amz-meta-filetrail-restored-from}). */
    public static final String RESTORED_FROM = "filetrail-restored-from";

    private final S3Client s3;
    private final long multipartThreshold;
    private final long partSize;

    /**
     * @param multipartThreshold a source above this many bytes is copied in parts (S3's limit for one copy is 5 GiB)
     * @param partSize           bytes per copied part (S3: 5 MiB..5 GiB, at most 10 000 parts)
     */
    public S3VersionActions(S3Client s3, long multipartThreshold, long partSize) {
        this.s3 = s3;
        this.multipartThreshold = multipartThreshold;
        this.partSize = partSize;
    }

    /** What a version is, as S3 answers a HEAD of it. */
    public sealed interface Source permits Found, Missing, DeleteMarker {
    }

    /** A version with bytes. */
    public record Found(long size, HeadObjectResponse head) implements Source {
    }

    /** No such version of the key. */
    public record Missing() implements Source {
    }

    /** The version is a delete marker (S3 answers a HEAD of one with 405 and {@code x-amz-delete-marker}). */
    public record DeleteMarker() implements Source {
    }

    /**
     * The API's S3 client, tagged {@code filetrail-api} (the IAM parity check holds its calls against the API task
     * role): the local credentials and path-style addressing for a configured endpoint, the task role otherwise.
     */
    public static S3Client client(dev.filetrail.api.ApiConfig config) {
        var builder = S3Client.builder()
                .region(software.amazon.awssdk.regions.Region.of(config.awsRegion()))
                .overrideConfiguration(o -> o.appId("filetrail-api"))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create());
        if (config.s3Endpoint() != null) {
            builder.endpointOverride(java.net.URI.create(config.s3Endpoint()))
                    .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder()
                            .pathStyleAccessEnabled(true).build())
                    .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                            software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
                                    config.awsAccessKeyId(), config.awsSecretAccessKey())));
        } else {
            builder.credentialsProvider(
                    software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider.builder().build());
        }
        return builder.build();
    }

    /** HEADs one version ({@code s3:GetObjectVersion}). */
    public Source head(String bucket, String key, String versionId) {
        try {
            HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key).versionId(versionId));
            if (Boolean.TRUE.equals(head.deleteMarker())) {
                return new DeleteMarker();
            }
            return new Found(head.contentLength() == null ? 0 : head.contentLength(), head);
        } catch (S3Exception e) {
            boolean marker = e.awsErrorDetails() != null && e.awsErrorDetails().sdkHttpResponse() != null
                    && e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-delete-marker")
                    .map("true"::equalsIgnoreCase).orElse(false);
            if (marker || e.statusCode() == 405) {
                return new DeleteMarker();
            }
            if (e.statusCode() == 404 || e.statusCode() == 403 || e.statusCode() == 400
                    && "InvalidArgument".equals(code(e))) {
                // S3 answers 400 InvalidArgument to a version id it could never have made, and 403 instead of 404
                // to a caller without s3:ListBucket, which the API role deliberately lacks (the version was in the
                // read model, so a 403 here means it is gone; a role missing s3:GetObjectVersion fails every
                // restore, which the IAM parity check rules out).
                return new Missing();
            }
            throw e;
        }
    }

    /** Copies {@code source} (a version of {@code key}) onto {@code key}; returns the new version's id. */
    public String restore(String bucket, String key, String sourceVersionId, Found source) {
        return restore(bucket, key, sourceVersionId, source, Map.of());
    }

    /**
     * The same, with {@code marks} added to the copy's user metadata (a rewind names its job, so that a job that
     * stopped between the copy and its record finds the copy in S3 instead of copying again).
     */
    public String restore(String bucket, String key, String sourceVersionId, Found source, Map<String, String> marks) {
        Map<String, String> metadata = new HashMap<>(source.head().metadata());
        metadata.putAll(marks);
        metadata.put(RESTORED_FROM, sourceVersionId);
        String newVersion = source.size() > multipartThreshold
                ? copyInParts(bucket, key, sourceVersionId, source, metadata)
                : copyWhole(bucket, key, sourceVersionId, source.head(), metadata);
        log.info("version restored bucket={} key={} from={} newVersion={} bytes={} multipart={}", bucket, key,
                sourceVersionId, newVersion, source.size(), source.size() > multipartThreshold);
        return newVersion;
    }

    private String copyWhole(String bucket, String key, String sourceVersionId, HeadObjectResponse head,
                             Map<String, String> metadata) {
        // REPLACE, so the restored-from marker is set; the source's content headers are copied by hand with it.
        CopyObjectResponse copied = s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(key)
                .sourceVersionId(sourceVersionId).destinationBucket(bucket).destinationKey(key)
                .metadataDirective(MetadataDirective.REPLACE).metadata(metadata)
                .taggingDirective(TaggingDirective.COPY)
                .contentType(head.contentType()).contentEncoding(head.contentEncoding())
                .contentDisposition(head.contentDisposition()).contentLanguage(head.contentLanguage())
                .cacheControl(head.cacheControl()));
        return copied.versionId();
    }

    private String copyInParts(String bucket, String key, String sourceVersionId, Found source,
                               Map<String, String> metadata) {
        HeadObjectResponse head = source.head();
        String tagging = tagging(bucket, key, sourceVersionId);
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key).metadata(metadata)
                .tagging(tagging).contentType(head.contentType()).contentEncoding(head.contentEncoding())
                .contentDisposition(head.contentDisposition()).contentLanguage(head.contentLanguage())
                .cacheControl(head.cacheControl())).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            long size = source.size();
            int number = 1;
            for (long start = 0; start < size; start += partSize, number++) {
                long end = Math.min(size, start + partSize) - 1;
                int partNumber = number;
                String range = "bytes=" + start + "-" + end;
                String eTag = s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey(key)
                        .sourceVersionId(sourceVersionId).destinationBucket(bucket).destinationKey(key)
                        .uploadId(uploadId).partNumber(partNumber).copySourceRange(range)).copyPartResult().eTag();
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(eTag).build());
            }
            return s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts))).versionId();
        } catch (RuntimeException e) {
            // Not aborted here: the API role holds no s3:AbortMultipartUpload (least privilege); the source bucket's
            // lifecycle rule (abortIncompleteMultipartDays) removes the parts, and a retry starts a new upload.
            log.warn("multipart restore failed bucket={} key={} from={} uploadId={} reason={}", bucket, key,
                    sourceVersionId, uploadId, e.toString());
            throw e;
        }
    }

    /**
     * The tags of a version in the form {@code x-amz-tagging} takes (URL query encoding), or null when it has none,
     * so that no header is sent.
     */
    private String tagging(String bucket, String key, String versionId) {
        List<Tag> tags = s3.getObjectTagging(b -> b.bucket(bucket).key(key).versionId(versionId)).tagSet();
        if (tags.isEmpty()) {
            return null;
        }
        StringBuilder query = new StringBuilder();
        for (Tag tag : tags) {
            query.append(query.length() == 0 ? "" : "&").append(queryEncoded(tag.key())).append('=')
                    .append(queryEncoded(tag.value()));
        }
        return query.toString();
    }

    private static String queryEncoded(String text) {
        // URLEncoder writes a space as '+', which only form decoders read as a space; %20 is a space to every decoder.
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Removes the delete marker {@code markerVersionId} of {@code key} ({@code s3:DeleteObjectVersion}). */
    public void removeDeleteMarker(String bucket, String key, String markerVersionId) {
        s3.deleteObject(b -> b.bucket(bucket).key(key).versionId(markerVersionId));
        log.info("delete marker removed bucket={} key={} marker={}", bucket, key, markerVersionId);
    }

    /** Puts a delete marker on {@code key} ({@code s3:DeleteObject} without a version: nothing is lost); its id. */
    public String deleteMarker(String bucket, String key) {
        String marker = s3.deleteObject(b -> b.bucket(bucket).key(key)).versionId();
        log.info("delete marker put bucket={} key={} marker={}", bucket, key, marker);
        return marker;
    }

    /** What the key's current version is, as S3 answers a HEAD without a version id. */
    public Source current(String bucket, String key) {
        return head(bucket, key, null);
    }

    /** The restored-from version an object's user metadata names, if any. */
    public static Optional<String> restoredFrom(Map<String, String> userMetadata) {
        return Optional.ofNullable(userMetadata == null ? null : userMetadata.get(RESTORED_FROM));
    }

    private static String code(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }
}
