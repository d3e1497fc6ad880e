package dev.filetrail.lambda.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.lambda.bench.ImageQuality;
import dev.filetrail.lambda.bench.SyntheticPhoto;
import dev.filetrail.lambda.corpus.ImageCorpus;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The DCT-domain decoder must match an exact area-average of ImageIO's full decode. */
class JpegScaledDecoderTest {
    @TempDir
    static Path dir;

    private static BufferedImage photo;
    private static Path baseline;
    private static Path restarts;

    @BeforeAll
    static void corpus() throws Exception {
        photo = SyntheticPhoto.render(803, 611, 7);
        baseline = dir.resolve("photo.jpg");
        Files.write(baseline, ImageCorpus.jpeg(photo, false));
        restarts = dir.resolve("restarts.jpg");
        Files.write(restarts, jpegWithRestartInterval(photo, 3));
    }

    @ParameterizedTest(name = "1/{0} scale")
    @ValueSource(ints = {8, 4, 2})
    void matchesAnAreaAverageOfTheFullDecode(int shrink) throws Exception {
        Pixels scaled = JpegScaledDecoder.decode(baseline, 8 / shrink);
        Pixels full = ImageDecoder.toPixels(ImageIO.read(baseline.toFile()));

        assertThat(scaled.width()).isEqualTo((803 + shrink - 1) / shrink);
        assertThat(scaled.height()).isEqualTo((611 + shrink - 1) / shrink);
        Pixels boxed = Resampler.boxShrink(full, shrink, shrink);
        // Compare away from the right and bottom edges, where partial blocks are averaged differently.
        BufferedImage a = crop(scaled, boxed.width() - 1, boxed.height() - 1);
        BufferedImage b = crop(boxed, boxed.width() - 1, boxed.height() - 1);
        // Luma is the exact block average; 4:2:0 chroma is upsampled after scaling (as libjpeg does), so it
        // differs from averaging a full-size upsampling at sharp colour edges and is held to a looser bound.
        assertThat(lumaPsnr(a, b)).isGreaterThan(40);
        assertThat(ImageQuality.psnr(a, b)).isGreaterThan(28);
        assertThat(ImageQuality.ssim(a, b)).isGreaterThan(0.98);
    }

    @Test
    void handlesRestartIntervals() throws Exception {
        Pixels plain = JpegScaledDecoder.decode(baseline, 2);
        Pixels withRestarts = JpegScaledDecoder.decode(restarts, 2);

        assertThat(ImageQuality.psnr(crop(plain, plain.width(), plain.height()),
                crop(withRestarts, plain.width(), plain.height()))).isGreaterThan(45);
    }

    @Test
    void decodesGreyJpegs() throws Exception {
        Path grey = dir.resolve("grey.jpg");
        Files.write(grey, ImageCorpus.sample("grey.jpg").bytes());

        Pixels pixels = JpegScaledDecoder.decode(grey, 1);

        assertThat(pixels.width()).isEqualTo(150);
        int argb = pixels.argb(10, 10);
        assertThat(argb >> 16 & 0xFF).isEqualTo(argb & 0xFF);
    }

    @Test
    void leavesProgressiveJpegsToImageIo() throws Exception {
        Path progressive = dir.resolve("progressive.jpg");
        Files.write(progressive, ImageCorpus.sample("progressive.jpg").bytes());

        assertThatThrownBy(() -> JpegScaledDecoder.frame(progressive))
                .isInstanceOf(JpegScaledDecoder.Unsupported.class).hasMessageContaining("SOF2");
        // The decoder as a whole still thumbnails it, through ImageIO.
        DecodedImage decoded = new ImageDecoder(100_000_000L).decode(progressive, ContentType.JPEG, 64);
        assertThat(decoded.header().width()).isEqualTo(ImageCorpus.WIDTH);
    }

    @Test
    void theDecoderUsesTheScaledPathLikeVipsthumbnail() {
        ImageDecoder decoder = new ImageDecoder(100_000_000L);
        ImageHeader photo4000 = new ImageHeader(ContentType.JPEG, 4000, 3000);

        assertThat(decoder.jpegShrink(photo4000, 256)).isEqualTo(4);
        assertThat(decoder.jpegShrink(photo4000, 64)).isEqualTo(8);
        assertThat(decoder.jpegShrink(photo4000, 1024)).isEqualTo(1);
        assertThat(decoder.jpegShrink(photo4000, 500)).isEqualTo(4);
        assertThat(decoder.jpegShrink(photo4000, 1000)).isEqualTo(2);
    }

    private static double lumaPsnr(BufferedImage a, BufferedImage b) {
        double sum = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                double d = luma(a.getRGB(x, y)) - luma(b.getRGB(x, y));
                sum += d * d;
            }
        }
        double mse = sum / (a.getWidth() * a.getHeight());
        return 10 * Math.log10(255.0 * 255.0 / Math.max(mse, 1e-9));
    }

    private static double luma(int rgb) {
        return 0.299 * (rgb >> 16 & 0xFF) + 0.587 * (rgb >> 8 & 0xFF) + 0.114 * (rgb & 0xFF);
    }

    private static BufferedImage crop(Pixels pixels, int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, pixels.argb(x, y) & 0xFFFFFF);
            }
        }
        return image;
    }

    /** ImageIO's JPEG writer adds a DRI segment when its native metadata asks for one. */
    private static byte[] jpegWithRestartInterval(BufferedImage image, int interval) throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.92f);
        IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), param);
        String format = "javax_imageio_jpeg_image_1.0";
        IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(format);
        IIOMetadataNode markers = (IIOMetadataNode) root.getElementsByTagName("markerSequence").item(0);
        IIOMetadataNode dri = new IIOMetadataNode("dri");
        dri.setAttribute("interval", Integer.toString(interval));
        markers.insertBefore(dri, markers.getFirstChild());
        metadata.setFromTree(format, root);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, metadata), param);
        } finally {
            writer.dispose();
        }
        byte[] jpeg = bytes.toByteArray();
        assertThat(new String(jpeg, java.nio.charset.StandardCharsets.ISO_8859_1)).contains("\u00ff\u00dd");
        return jpeg;
    }
}
