package dev.filetrail.lambda.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes the first frame or page of a JPEG, PNG, GIF, BMP, TIFF or WebP file into {@link Pixels}, refusing
 * decompression bombs from the header alone and subsampling large images on load so memory stays bounded.
 */
public final class ImageDecoder {
    static {
        // TwelveMonkeys' readers register through service files; scanning once here (at class load, so in the
        // Lambda's init phase) keeps that cost out of the first invocation.
        ImageIO.setUseCache(false);
        ImageIO.scanForPlugins();
    }

    /** Above this many pixels, non-JPEG images are subsampled on load to bound memory (about 100 MB RGBA). */
    static final long FULL_DECODE_PIXELS = 25_000_000L;

    private final long maxPixels;
    private final double minimumOversample;

    /**
     * @param maxPixels         images with more pixels than this are refused before any decoding
     * @param minimumOversample how many times the largest target the decoded long side must keep when
     *                          subsampling on load; the resampler does the rest with a proper filter
     */
    public ImageDecoder(long maxPixels, double minimumOversample) {
        if (maxPixels < 1 || minimumOversample < 1) {
            throw new IllegalArgumentException("maxPixels and minimumOversample must be positive");
        }
        this.maxPixels = maxPixels;
        this.minimumOversample = minimumOversample;
    }

    public ImageDecoder(long maxPixels) {
        this(maxPixels, 2.0);
    }

    /**
     * Reads dimensions from the header only, without the pixel limit: nothing is decoded, so even a bomb's
     * declared size is safe to report.
     */
    public ImageHeader readHeader(Path file, ContentType type) throws ImageRejectedException {
        requireThumbnailable(type);
        try (ImageInputStream in = open(file)) {
            ImageReader reader = readerFor(in, type);
            try {
                reader.setInput(in, true, true);
                return header(reader, type);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw corrupt(type, e);
        }
    }

    /**
     * Decodes the first frame, subsampled on load by the largest whole factor that still leaves the long side at
     * least {@code minimumOversample} times {@code largestTarget}.
     */
    public DecodedImage decode(Path file, ContentType type, int largestTarget) throws ImageRejectedException {
        requireThumbnailable(type);
        if (type == ContentType.JPEG) {
            DecodedImage scaled = decodeScaledJpeg(file, largestTarget);
            if (scaled != null) {
                return scaled;
            }
        }
        try (ImageInputStream in = open(file)) {
            ImageReader reader = readerFor(in, type);
            try {
                reader.setInput(in, true, true);
                ImageHeader header = checkedHeader(reader, type);
                int factor = subsampling(header, largestTarget);
                ImageReadParam param = reader.getDefaultReadParam();
                if (factor > 1) {
                    param.setSourceSubsampling(factor, factor, 0, 0);
                }
                BufferedImage image = reader.read(0, param);
                return new DecodedImage(toPixels(image), header);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw corrupt(type, e);
        }
    }

    /**
     * The DCT-domain fast path for baseline JPEGs (most camera and web photos): a 1/2, 1/4 or 1/8 scale decode
     * when the thumbnail is small enough, or null to let ImageIO decode it at full size.
     */
    private DecodedImage decodeScaledJpeg(Path file, int largestTarget) throws ImageRejectedException {
        JpegScaledDecoder.Frame frame;
        try {
            frame = JpegScaledDecoder.frame(file);
        } catch (JpegScaledDecoder.Unsupported | IOException | RuntimeException e) {
            return null;
        }
        ImageHeader header = new ImageHeader(ContentType.JPEG, frame.width(), frame.height());
        checkLimit(header);
        int shrink = jpegShrink(header, largestTarget);
        if (shrink == 1) {
            return null;
        }
        try {
            return new DecodedImage(JpegScaledDecoder.decode(file, 8 / shrink), header);
        } catch (JpegScaledDecoder.Unsupported | IOException | RuntimeException e) {
            // Whatever this decoder cannot read, ImageIO gets a go at (and reports as corrupt if it fails too).
            return null;
        }
    }

    /**
     * As vipsthumbnail chooses its shrink-on-load: the largest of 8, 4, 2 that still leaves the resampler at
     * least {@code minimumOversample} (2 by default) of reduction, or 1 for a full-size decode.
     */
    int jpegShrink(ImageHeader header, int largestTarget) {
        double shrink = (double) Math.max(header.width(), header.height()) / Math.max(1, largestTarget);
        for (int factor = 8; factor >= 2; factor /= 2) {
            if (shrink >= factor * minimumOversample) {
                return factor;
            }
        }
        return 1;
    }

    /**
     * Point subsampling on load aliases, so ImageIO decodes at full size unless the image would take more
     * than {@link #FULL_DECODE_PIXELS}; only then is it subsampled, keeping the long side at least
     * {@code minimumOversample} times the target.
     */
    int subsampling(ImageHeader header, int largestTarget) {
        if (header.pixelCount() <= FULL_DECODE_PIXELS) {
            return 1;
        }
        int forMemory = (int) Math.ceil(Math.sqrt((double) header.pixelCount() / FULL_DECODE_PIXELS));
        int longSide = Math.max(header.width(), header.height());
        int forQuality = (int) Math.floor(longSide / (minimumOversample * Math.max(1, largestTarget)));
        return Math.max(1, Math.min(forMemory, forQuality));
    }

    private static ImageHeader header(ImageReader reader, ContentType type) throws IOException,
            ImageRejectedException {
        ImageHeader header = new ImageHeader(type, reader.getWidth(0), reader.getHeight(0));
        if (header.width() < 1 || header.height() < 1) {
            throw new ImageRejectedException("corrupt " + type.mimeType() + ": declares " + header.width()
                    + "x" + header.height() + " pixels");
        }
        return header;
    }

    private ImageHeader checkedHeader(ImageReader reader, ContentType type) throws IOException,
            ImageRejectedException {
        ImageHeader header = header(reader, type);
        checkLimit(header);
        return header;
    }

    private void checkLimit(ImageHeader header) throws ImageRejectedException {
        if (header.pixelCount() > maxPixels) {
            throw new ImageRejectedException("decompression bomb refused: " + header.width() + "x" + header.height()
                    + " = " + header.pixelCount() + " pixels exceeds the limit of " + maxPixels);
        }
    }

    private static ImageInputStream open(Path file) throws IOException {
        ImageInputStream in = ImageIO.createImageInputStream(file.toFile());
        if (in == null) {
            throw new IOException("no image input stream for " + file);
        }
        return in;
    }

    private static ImageReader readerFor(ImageInputStream in, ContentType type) throws ImageRejectedException {
        Iterator<ImageReader> byMime = ImageIO.getImageReadersByMIMEType(type.mimeType());
        if (byMime.hasNext()) {
            return byMime.next();
        }
        Iterator<ImageReader> byContent = ImageIO.getImageReaders(in);
        if (byContent.hasNext()) {
            return byContent.next();
        }
        throw new ImageRejectedException("no decoder for " + type.mimeType());
    }

    private static void requireThumbnailable(ContentType type) throws ImageRejectedException {
        if (!type.thumbnailable()) {
            throw new ImageRejectedException("not a supported image: " + type.mimeType());
        }
    }

    private static ImageRejectedException corrupt(ContentType type, Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new ImageRejectedException("corrupt " + type.mimeType() + ": " + message, e);
    }

    /** Copies any BufferedImage into interleaved RGB/RGBA, with fast paths for the layouts decoders produce. */
    public static Pixels toPixels(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        switch (image.getType()) {
            case BufferedImage.TYPE_3BYTE_BGR -> {
                byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
                if (bgr.length == width * height * 3 && image.getRaster().getParent() == null) {
                    byte[] rgb = new byte[bgr.length];
                    for (int i = 0; i < bgr.length; i += 3) {
                        rgb[i] = bgr[i + 2];
                        rgb[i + 1] = bgr[i + 1];
                        rgb[i + 2] = bgr[i];
                    }
                    return new Pixels(width, height, 3, rgb);
                }
            }
            case BufferedImage.TYPE_4BYTE_ABGR -> {
                byte[] abgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
                if (abgr.length == width * height * 4 && image.getRaster().getParent() == null) {
                    byte[] rgba = new byte[abgr.length];
                    for (int i = 0; i < abgr.length; i += 4) {
                        rgba[i] = abgr[i + 3];
                        rgba[i + 1] = abgr[i + 2];
                        rgba[i + 2] = abgr[i + 1];
                        rgba[i + 3] = abgr[i];
                    }
                    return new Pixels(width, height, 4, rgba);
                }
            }
            case BufferedImage.TYPE_BYTE_GRAY -> {
                byte[] gray = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
                if (gray.length == width * height && image.getRaster().getParent() == null) {
                    byte[] rgb = new byte[gray.length * 3];
                    for (int i = 0, o = 0; i < gray.length; i++, o += 3) {
                        rgb[o] = gray[i];
                        rgb[o + 1] = gray[i];
                        rgb[o + 2] = gray[i];
                    }
                    return new Pixels(width, height, 3, rgb);
                }
            }
            default -> {
                // handled below
            }
        }
        // Anything else (indexed, 16-bit, CMYK converted by the reader, custom): the colour model converts.
        boolean alpha = image.getColorModel().hasAlpha();
        int channels = alpha ? 4 : 3;
        byte[] out = new byte[width * height * channels];
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            image.getRGB(0, y, width, 1, row, 0, width);
            int o = y * width * channels;
            for (int x = 0; x < width; x++, o += channels) {
                int argb = row[x];
                out[o] = (byte) (argb >>> 16);
                out[o + 1] = (byte) (argb >>> 8);
                out[o + 2] = (byte) argb;
                if (alpha) {
                    out[o + 3] = (byte) (argb >>> 24);
                }
            }
        }
        return new Pixels(width, height, channels, out);
    }
}
