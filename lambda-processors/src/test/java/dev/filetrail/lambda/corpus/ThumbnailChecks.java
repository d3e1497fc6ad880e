package dev.filetrail.lambda.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import com.drew.imaging.ImageMetadataReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.GpsDirectory;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;

/** Assertions on a thumbnail decoded back from its bytes. */
public final class ThumbnailChecks {
    private ThumbnailChecks() {
    }

    public static BufferedImage decode(byte[] bytes) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            assertThat(image).as("thumbnail decodes").isNotNull();
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Size, upright orientation (by the colour of each quadrant), transparency and format of a thumbnail. */
    public static void assertThumbnail(ImageCorpus.Sample sample, byte[] bytes, String contentType, int size) {
        BufferedImage image = decode(bytes);
        int expectedLong = Math.min(size, Math.max(ImageCorpus.WIDTH, ImageCorpus.HEIGHT));
        assertThat(Math.max(image.getWidth(), image.getHeight())).as(sample.name() + " long side")
                .isEqualTo(expectedLong);
        boolean portrait = sample.displayHeight() > sample.displayWidth();
        assertThat(image.getHeight() > image.getWidth()).as(sample.name() + " is portrait").isEqualTo(portrait);
        double aspect = (double) sample.displayWidth() / sample.displayHeight();
        assertThat((double) image.getWidth() / image.getHeight()).as(sample.name() + " aspect")
                .isCloseTo(aspect, org.assertj.core.data.Offset.offset(0.05));

        if (sample.transparent()) {
            assertThat(contentType).as(sample.name() + " format").isEqualTo("image/png");
            assertThat(image.getColorModel().hasAlpha()).isTrue();
        } else {
            assertThat(contentType).as(sample.name() + " format").isEqualTo("image/jpeg");
        }
        assertNoExif(sample.name(), bytes);

        int[] corners = expectedCorners(sample.orientation());
        int[][] at = {{15, 15}, {85, 15}, {15, 85}, {85, 85}};
        for (int i = 0; i < 4; i++) {
            int x = image.getWidth() * at[i][0] / 100;
            int y = image.getHeight() * at[i][1] / 100;
            int argb = image.getRGB(x, y);
            boolean yellowQuadrant = corners[i] == ImageCorpus.YELLOW;
            if (sample.transparent() && yellowQuadrant) {
                assertThat(argb >>> 24).as(sample.name() + " transparent quadrant alpha").isZero();
            } else {
                assertThat(argb >>> 24).as(sample.name() + " opaque quadrant alpha").isEqualTo(0xFF);
                assertColour(sample.name() + " corner " + i, argb, grey(sample) ? greyOf(corners[i]) : corners[i]);
            }
        }
    }

    /** No APP1 (EXIF/XMP) segment in a JPEG, no eXIf chunk in a PNG, and nothing metadata-extractor calls GPS. */
    public static void assertNoExif(String name, byte[] bytes) {
        String latin = new String(bytes, StandardCharsets.ISO_8859_1);
        assertThat(latin).as(name + " has no EXIF").doesNotContain("Exif\0\0").doesNotContain("eXIf");
        if ((bytes[0] & 0xFF) == 0xFF) {
            for (int i = 2; i + 3 < bytes.length; ) {
                int marker = bytes[i + 1] & 0xFF;
                if (marker == 0xDA) {
                    break;
                }
                assertThat(marker).as(name + " JPEG segment").isNotEqualTo(0xE1);
                i += 2 + (((bytes[i + 2] & 0xFF) << 8) | (bytes[i + 3] & 0xFF));
            }
        }
        try {
            Metadata metadata = ImageMetadataReader.readMetadata(new ByteArrayInputStream(bytes));
            assertThat(metadata.getFirstDirectoryOfType(GpsDirectory.class)).as(name + " GPS").isNull();
            assertThat(metadata.getFirstDirectoryOfType(ExifIFD0Directory.class)).as(name + " EXIF").isNull();
        } catch (Exception e) {
            throw new AssertionError(name + ": metadata-extractor cannot read the thumbnail", e);
        }
    }

    /** Displayed colours of the corners (top-left, top-right, bottom-left, bottom-right) after orientation. */
    public static int[] expectedCorners(int orientation) {
        int r = ImageCorpus.RED;
        int g = ImageCorpus.GREEN;
        int b = ImageCorpus.BLUE;
        int y = ImageCorpus.YELLOW;
        return switch (orientation) {
            case 1 -> new int[] {r, g, b, y};
            case 3 -> new int[] {y, b, g, r};
            case 6 -> new int[] {b, r, y, g};
            case 8 -> new int[] {g, y, r, b};
            default -> throw new IllegalArgumentException("corpus has no orientation " + orientation);
        };
    }

    private static boolean grey(ImageCorpus.Sample sample) {
        return sample.name().startsWith("grey");
    }

    private static int greyOf(int rgb) {
        // What Java2D's sRGB to linear-grey conversion gives is not simple luma; accept any grey near its luma.
        int lum = (int) Math.round(0.299 * (rgb >> 16 & 0xFF) + 0.587 * (rgb >> 8 & 0xFF) + 0.114 * (rgb & 0xFF));
        return lum << 16 | lum << 8 | lum;
    }

    public static void assertColour(String what, int actual, int expected) {
        int tolerance = 40;
        for (int shift = 0; shift <= 16; shift += 8) {
            int a = actual >> shift & 0xFF;
            int e = expected >> shift & 0xFF;
            assertThat(Math.abs(a - e)).as(what + String.format(" #%06X vs #%06X", actual & 0xFFFFFF, expected))
                    .isLessThanOrEqualTo(tolerance);
        }
    }
}
