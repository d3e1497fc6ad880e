package dev.filetrail.api.projection;

/** One file of the read model: its bucket and S3 key (any key S3 can hold, U+0000 included). */
public record BucketKey(String bucket, String key) {
}
