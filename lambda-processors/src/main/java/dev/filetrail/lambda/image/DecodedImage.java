package dev.filetrail.lambda.image;

/** Decoded pixels (possibly subsampled on load) and the stored dimensions of the image they came from. */
public record DecodedImage(Pixels pixels, ImageHeader header) {
}
