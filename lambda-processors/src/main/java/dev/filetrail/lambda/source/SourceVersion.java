package dev.filetrail.lambda.source;

/**
 * One created object version named by an S3 notification: the key is already form-URL-decoded; versionId is
 * null in an unversioned bucket, where eTag pins the content instead.
 */
public record SourceVersion(String bucket, String key, String versionId, Long size, String eTag, String sequencer,
                            String eventName) {

    /** The version id S3 itself uses for objects written while versioning was off. */
    public static final String NULL_VERSION = "null";

    /** The versionId to name in derivative keys and results: S3's literal "null" when unversioned. */
    public String versionOrNull() {
        return versionId == null || versionId.isEmpty() ? NULL_VERSION : versionId;
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + key + "?versionId=" + versionOrNull();
    }
}
