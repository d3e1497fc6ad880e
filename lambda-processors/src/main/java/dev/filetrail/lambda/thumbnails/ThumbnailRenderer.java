package dev.filetrail.lambda.thumbnails;

import dev.filetrail.lambda.image.ContentType;
import dev.filetrail.lambda.image.DecodedImage;
import dev.filetrail.lambda.image.EncodedImage;
import dev.filetrail.lambda.image.ImageDecoder;
import dev.filetrail.lambda.image.ImageHeader;
import dev.filetrail.lambda.image.ImageRejectedException;
import dev.filetrail.lambda.image.Orientation;
import dev.filetrail.lambda.image.Pixels;
import dev.filetrail.lambda.image.Resampler;
import dev.filetrail.lambda.image.ThumbnailEncoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders one image file into thumbnails at every configured size: decode once (subsampled for the largest
 * size), resample to each size, turn upright by the EXIF orientation, encode. Pure: no S3, no clock.
 */
public final class ThumbnailRenderer {
    private final ImageDecoder decoder;
    private final ThumbnailEncoder encoder;
    private final List<Integer> sizes;

    /** @param sizes long sides in pixels, largest first */
    public ThumbnailRenderer(ImageDecoder decoder, ThumbnailEncoder encoder, List<Integer> sizes) {
        this.decoder = decoder;
        this.encoder = encoder;
        this.sizes = List.copyOf(sizes);
    }

    public List<Integer> sizes() {
        return sizes;
    }

    /**
     * @param orientation EXIF orientation 1–8 (anything else is taken as 1)
     * @throws ImageRejectedException corrupt, unsupported, over the pixel limit, or too large for memory
     */
    public Rendering render(Path file, ContentType type, int orientation) throws ImageRejectedException {
        try {
            int largest = sizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
            DecodedImage decoded = decoder.decode(file, type, largest);
            ImageHeader header = decoded.header();
            Pixels pixels = decoded.pixels();
            // One format for every size of one version: PNG only when some pixel is really transparent.
            boolean png = pixels.hasTransparency();
            List<RenderedThumbnail> thumbnails = new ArrayList<>(sizes.size());
            for (int size : sizes) {
                int[] stored = Resampler.fitWithin(header.width(), header.height(), size);
                Pixels resized = Resampler.resize(pixels, stored[0], stored[1]);
                Pixels upright = Orientation.apply(resized, orientation);
                thumbnails.add(new RenderedThumbnail(size, encoder.encode(upright, png)));
            }
            boolean swap = Orientation.swapsAxes(orientation);
            return new Rendering(header, swap ? header.height() : header.width(),
                    swap ? header.width() : header.height(), thumbnails);
        } catch (OutOfMemoryError e) {
            // The pixel limit should prevent this; if a codec still runs out, record it rather than crash-loop.
            throw new ImageRejectedException("out of memory decoding " + type.mimeType(), e);
        }
    }

    /** The thumbnails of one image, with its stored header and its upright (displayed) size. */
    public record Rendering(ImageHeader header, int displayWidth, int displayHeight,
                            List<RenderedThumbnail> thumbnails) {
    }

    /** One encoded thumbnail and the size it was asked for. */
    public record RenderedThumbnail(int size, EncodedImage image) {
    }
}
