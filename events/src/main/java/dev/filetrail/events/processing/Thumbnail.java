package dev.filetrail.events.processing;

/** One thumbnail of one version, stored in the derivatives bucket. */
public record Thumbnail(int size, int width, int height, String contentType, String bucket, String key, long bytes) {
}
