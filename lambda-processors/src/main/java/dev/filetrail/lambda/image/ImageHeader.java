package dev.filetrail.lambda.image;

/** Format and stored pixel dimensions of an image, read from its header without decoding pixels. */
public record ImageHeader(ContentType type, int width, int height) {
    public long pixelCount() {
        return (long) width * height;
    }
}
