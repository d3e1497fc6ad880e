package dev.filetrail.lambda.corpus;

import dev.filetrail.lambda.image.ContentType;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * The test corpus, generated: the same four-colour picture in every supported format, with EXIF orientation,
 * GPS, alpha, grey, indexed and animated cases, plus the bad inputs the processors must survive. Only the two
 * WebP files are fixtures (no pure-Java WebP writer exists); see src/test/resources/corpus/README.md.
 */
public final class ImageCorpus {
    /** Stored size of every picture: landscape, so a quarter turn visibly makes it portrait. */
    public static final int WIDTH = 1200;
    public static final int HEIGHT = 800;

    public static final int RED = 0xDC1E1E;
    public static final int GREEN = 0x1EC81E;
    public static final int BLUE = 0x1E1EDC;
    public static final int YELLOW = 0xE6DC28;

    public static final double LATITUDE = 48.858222;
    public static final double LONGITUDE = 2.2945;

    private ImageCorpus() {
    }

    /** One corpus entry and what a correct thumbnail of it looks like. */
    public record Sample(String name, byte[] bytes, ContentType type, int orientation, boolean transparent) {
        /** The upright width and height, after EXIF orientation. */
        public int displayWidth() {
            return orientation >= 5 ? HEIGHT : WIDTH;
        }

        public int displayHeight() {
            return orientation >= 5 ? WIDTH : HEIGHT;
        }
    }

    private static volatile List<Sample> corpus;

    /** Every well-formed sample: each format, orientation and alpha case (generated once per JVM). */
    public static List<Sample> images() {
        List<Sample> cached = corpus;
        if (cached == null) {
            synchronized (ImageCorpus.class) {
                if (corpus == null) {
                    corpus = List.copyOf(generate());
                }
                cached = corpus;
            }
        }
        return cached;
    }

    private static List<Sample> generate() {
        List<Sample> samples = new ArrayList<>();
        BufferedImage rgb = pattern(false);
        BufferedImage argb = pattern(true);
        byte[] plainJpeg = jpeg(rgb, false);
        samples.add(new Sample("plain.jpg", plainJpeg, ContentType.JPEG, 1, false));
        samples.add(new Sample("progressive.jpg", jpeg(rgb, true), ContentType.JPEG, 1, false));
        for (int orientation : new int[] {3, 6, 8}) {
            byte[] exif = ExifSegment.payload(orientation, "Filetrail", "Corpus Cam " + orientation,
                    "2024:05:17 14:03:22", "+02:00", LATITUDE, LONGITUDE);
            samples.add(new Sample("exif-orientation-" + orientation + ".jpg",
                    ExifSegment.insertInto(plainJpeg, exif), ContentType.JPEG, orientation, false));
        }
        samples.add(new Sample("grey.jpg", jpeg(grey(rgb), false), ContentType.JPEG, 1, false));
        samples.add(new Sample("opaque.png", write(rgb, "png"), ContentType.PNG, 1, false));
        samples.add(new Sample("alpha.png", write(argb, "png"), ContentType.PNG, 1, true));
        samples.add(new Sample("opaque-alpha-channel.png", write(opaqueArgb(rgb), "png"), ContentType.PNG, 1, false));
        samples.add(new Sample("indexed-transparent.png", write(indexed(true), "png"), ContentType.PNG, 1, true));
        samples.add(new Sample("grey.png", write(grey(rgb), "png"), ContentType.PNG, 1, false));
        samples.add(new Sample("animated.gif", animatedGif(), ContentType.GIF, 1, false));
        samples.add(new Sample("transparent.gif", write(indexed(true), "gif"), ContentType.GIF, 1, true));
        samples.add(new Sample("plain.bmp", write(rgb, "bmp"), ContentType.BMP, 1, false));
        samples.add(new Sample("plain.tiff", write(rgb, "tiff"), ContentType.TIFF, 1, false));
        samples.add(new Sample("alpha.tiff", write(argb, "tiff"), ContentType.TIFF, 1, true));
        samples.add(new Sample("lossy.webp", resource("corpus/lossy.webp"), ContentType.WEBP, 1, false));
        samples.add(new Sample("lossless-alpha.webp", resource("corpus/lossless-alpha.webp"), ContentType.WEBP, 1,
                true));
        return samples;
    }

    public static Sample sample(String name) {
        return images().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    /**
     * Four quadrants: red top-left, green top-right, blue bottom-left, yellow bottom-right. With alpha, the
     * yellow quadrant is fully transparent and a band through the middle half transparent.
     */
    public static BufferedImage pattern(boolean alpha) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT,
                alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                boolean left = x < WIDTH / 2;
                boolean top = y < HEIGHT / 2;
                int colour = top ? (left ? RED : GREEN) : (left ? BLUE : YELLOW);
                int a = 0xFF;
                if (alpha) {
                    if (!top && !left) {
                        a = 0;
                    } else if (Math.abs(y - HEIGHT / 2) < HEIGHT / 20) {
                        a = 0x80;
                    }
                }
                image.setRGB(x, y, a << 24 | colour);
            }
        }
        return image;
    }

    /** Corrupt, empty, non-image and bomb inputs, keyed by a name that claims to be an image. */
    public static byte[] truncatedJpeg() {
        byte[] jpeg = jpeg(pattern(false), false);
        byte[] cut = new byte[300];
        System.arraycopy(jpeg, 0, cut, 0, cut.length);
        return cut;
    }

    public static byte[] garbageAfterJpegMagic() {
        byte[] bytes = new byte[4096];
        new java.util.Random(7).nextBytes(bytes);
        bytes[0] = (byte) 0xFF;
        bytes[1] = (byte) 0xD8;
        bytes[2] = (byte) 0xFF;
        bytes[3] = (byte) 0xDB;
        return bytes;
    }

    /** A real, tiny JPEG whose frame header claims 60000x60000 pixels (3.6 gigapixels). */
    public static byte[] jpegPixelFlood() {
        BufferedImage small = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        byte[] jpeg = jpeg(small, false);
        for (int i = 2; i < jpeg.length - 9; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xC0) {
                jpeg[i + 5] = (byte) (60000 >> 8);
                jpeg[i + 6] = (byte) 60000;
                jpeg[i + 7] = (byte) (60000 >> 8);
                jpeg[i + 8] = (byte) 60000;
                return jpeg;
            }
        }
        throw new IllegalStateException("ImageIO wrote no baseline SOF0");
    }

    /** A valid PNG header declaring 20000x20000 RGB (400 MP) over a few hundred bytes of zeros. */
    public static byte[] pngBomb() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        byte[] ihdr = java.nio.ByteBuffer.allocate(13).putInt(20000).putInt(20000)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0).array();
        chunk(out, "IHDR", ihdr);
        Deflater deflater = new Deflater(9);
        deflater.setInput(new byte[1 << 20]);
        deflater.finish();
        byte[] compressed = new byte[1 << 16];
        int n = deflater.deflate(compressed);
        chunk(out, "IDAT", java.util.Arrays.copyOf(compressed, n));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    public static byte[] jpeg(BufferedImage image, boolean progressive) {
        BufferedImage opaque = image;
        if (image.getColorModel().hasAlpha()) {
            opaque = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
            opaque.getGraphics().drawImage(image, 0, 0, null);
        }
        ImageWriter writer = jdkWriter("jpeg");
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.92f);
        if (progressive) {
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        }
        return encode(writer, List.of(opaque), param, false);
    }

    public static byte[] write(BufferedImage image, String format) {
        ImageWriter writer = jdkWriter(format);
        return encode(writer, List.of(image), writer.getDefaultWriteParam(), false);
    }

    private static byte[] animatedGif() {
        // The second frame is all black: a thumbnail showing the quadrants proves the first frame was used.
        BufferedImage first = pattern(false);
        BufferedImage second = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        ImageWriter writer = jdkWriter("gif");
        return encode(writer, List.of(first, second), writer.getDefaultWriteParam(), true);
    }

    private static BufferedImage indexed(boolean transparentYellow) {
        byte[] r = {(byte) (RED >> 16), (byte) (GREEN >> 16), (byte) (BLUE >> 16), (byte) (YELLOW >> 16)};
        byte[] g = {(byte) (RED >> 8), (byte) (GREEN >> 8), (byte) (BLUE >> 8), (byte) (YELLOW >> 8)};
        byte[] b = {(byte) RED, (byte) GREEN, (byte) BLUE, (byte) YELLOW};
        IndexColorModel palette = transparentYellow
                ? new IndexColorModel(2, 4, r, g, b, 3)
                : new IndexColorModel(2, 4, r, g, b);
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_BYTE_INDEXED, palette);
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                int index = (y < HEIGHT / 2 ? 0 : 2) + (x < WIDTH / 2 ? 0 : 1);
                image.getRaster().setSample(x, y, 0, index);
            }
        }
        return image;
    }

    private static BufferedImage grey(BufferedImage rgb) {
        BufferedImage grey = new BufferedImage(rgb.getWidth(), rgb.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
        grey.getGraphics().drawImage(rgb, 0, 0, null);
        return grey;
    }

    private static BufferedImage opaqueArgb(BufferedImage rgb) {
        BufferedImage argb = new BufferedImage(rgb.getWidth(), rgb.getHeight(), BufferedImage.TYPE_INT_ARGB);
        argb.getGraphics().drawImage(rgb, 0, 0, null);
        return argb;
    }

    /** The JDK's own writers, so the corpus does not depend on the codecs under test. */
    private static ImageWriter jdkWriter(String format) {
        var writers = ImageIO.getImageWritersByFormatName(format);
        ImageWriter fallback = null;
        while (writers.hasNext()) {
            ImageWriter writer = writers.next();
            if (writer.getClass().getName().startsWith("com.sun.")) {
                return writer;
            }
            fallback = fallback == null ? writer : fallback;
        }
        if (fallback == null) {
            throw new IllegalStateException("no " + format + " writer");
        }
        return fallback;
    }

    /** Encodes one image, or (for GIF) every frame as an animation sequence. */
    private static byte[] encode(ImageWriter writer, List<BufferedImage> frames, ImageWriteParam param,
                                 boolean sequence) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            if (sequence) {
                writer.prepareWriteSequence(null);
                for (BufferedImage frame : frames) {
                    IIOMetadata metadata = writer.getDefaultImageMetadata(
                            ImageTypeSpecifier.createFromRenderedImage(frame), param);
                    String format = metadata.getNativeMetadataFormatName();
                    IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(format);
                    IIOMetadataNode control = new IIOMetadataNode("GraphicControlExtension");
                    control.setAttribute("disposalMethod", "none");
                    control.setAttribute("userInputFlag", "FALSE");
                    control.setAttribute("transparentColorFlag", "FALSE");
                    control.setAttribute("delayTime", "50");
                    control.setAttribute("transparentColorIndex", "0");
                    root.appendChild(control);
                    metadata.setFromTree(format, root);
                    writer.writeToSequence(new IIOImage(frame, null, metadata), param);
                }
                writer.endWriteSequence();
            } else {
                writer.write(null, new IIOImage(frames.get(0), null, null), param);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static byte[] resource(String path) {
        try (InputStream in = ImageCorpus.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the PNG sources of the WebP fixtures: {@code java ... ImageCorpus <dir>}. */
    public static void main(String[] args) throws IOException {
        java.nio.file.Path dir = java.nio.file.Path.of(args[0]);
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.write(dir.resolve("opaque.png"), write(pattern(false), "png"));
        java.nio.file.Files.write(dir.resolve("alpha.png"), write(pattern(true), "png"));
    }
}
