package dev.filetrail.lambda.image;

/** An encoded thumbnail: its bytes, MIME type, file extension and pixel size. */
public record EncodedImage(byte[] bytes, String contentType, String extension, int width, int height) {
}
