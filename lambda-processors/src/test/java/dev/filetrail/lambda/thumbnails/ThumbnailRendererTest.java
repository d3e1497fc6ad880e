package dev.filetrail.lambda.thumbnails;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.lambda.corpus.ImageCorpus;
import dev.filetrail.lambda.corpus.ThumbnailChecks;
import dev.filetrail.lambda.image.ContentType;
import dev.filetrail.lambda.image.ImageDecoder;
import dev.filetrail.lambda.image.ImageRejectedException;
import dev.filetrail.lambda.image.ThumbnailEncoder;
import dev.filetrail.lambda.metadata.ExifReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ThumbnailRendererTest {
    private static final List<Integer> SIZES = List.of(1024, 256, 64);

    @TempDir
    Path dir;

    private final ThumbnailRenderer renderer = new ThumbnailRenderer(new ImageDecoder(100_000_000L),
            new ThumbnailEncoder(0.85f), SIZES);

    static List<ImageCorpus.Sample> corpus() {
        return ImageCorpus.images();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void rendersEveryFormatUprightAtEverySize(ImageCorpus.Sample sample) throws Exception {
        Path file = write(sample.name(), sample.bytes());
        ContentType type = ContentType.sniff(file);
        assertThat(type).isEqualTo(sample.type());

        ThumbnailRenderer.Rendering rendering = renderer.render(file, type,
                ExifReader.orientation(ExifReader.read(file, type)));

        assertThat(rendering.displayWidth()).isEqualTo(sample.displayWidth());
        assertThat(rendering.displayHeight()).isEqualTo(sample.displayHeight());
        assertThat(rendering.thumbnails()).extracting(ThumbnailRenderer.RenderedThumbnail::size)
                .containsExactlyElementsOf(SIZES);
        for (ThumbnailRenderer.RenderedThumbnail thumbnail : rendering.thumbnails()) {
            ThumbnailChecks.assertThumbnail(sample, thumbnail.image().bytes(), thumbnail.image().contentType(),
                    thumbnail.size());
        }
    }

    @Test
    void refusesPixelFloodsFromTheHeaderAlone() throws IOException {
        Path jpeg = write("flood.jpg", ImageCorpus.jpegPixelFlood());
        Path png = write("bomb.png", ImageCorpus.pngBomb());

        assertThatThrownBy(() -> renderer.render(jpeg, ContentType.JPEG, 1))
                .isInstanceOf(ImageRejectedException.class)
                .hasMessageContaining("decompression bomb").hasMessageContaining("60000x60000");
        assertThatThrownBy(() -> renderer.render(png, ContentType.PNG, 1))
                .isInstanceOf(ImageRejectedException.class)
                .hasMessageContaining("decompression bomb").hasMessageContaining("20000x20000");
    }

    @Test
    void honoursAConfiguredPixelLimit() throws IOException {
        ThumbnailRenderer strict = new ThumbnailRenderer(new ImageDecoder(ImageCorpus.WIDTH * ImageCorpus.HEIGHT - 1),
                new ThumbnailEncoder(0.85f), SIZES);
        Path file = write("plain.png", ImageCorpus.sample("opaque.png").bytes());

        assertThatThrownBy(() -> strict.render(file, ContentType.PNG, 1))
                .isInstanceOf(ImageRejectedException.class).hasMessageContaining("exceeds the limit of 959999");
    }

    @Test
    void rejectsCorruptImagesInsteadOfThrowingAnythingElse() throws IOException {
        Path garbage = write("garbage.jpg", ImageCorpus.garbageAfterJpegMagic());
        Path truncatedHeader = write("cut.jpg", ImageCorpus.truncatedJpeg());
        Path notPng = write("not.png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0});

        assertThatThrownBy(() -> renderer.render(garbage, ContentType.JPEG, 1))
                .isInstanceOf(ImageRejectedException.class).hasMessageStartingWith("corrupt image/jpeg");
        assertThatThrownBy(() -> renderer.render(truncatedHeader, ContentType.JPEG, 1))
                .isInstanceOf(ImageRejectedException.class).hasMessageStartingWith("corrupt image/jpeg");
        assertThatThrownBy(() -> renderer.render(notPng, ContentType.PNG, 1))
                .isInstanceOf(ImageRejectedException.class).hasMessageStartingWith("corrupt image/png");
    }

    @Test
    void refusesFormatsItCannotDecode() throws IOException {
        Path pdf = write("doc.pdf", "%PDF-1.7\n".getBytes());

        assertThatThrownBy(() -> renderer.render(pdf, ContentType.PDF, 1))
                .isInstanceOf(ImageRejectedException.class).hasMessage("not a supported image: application/pdf");
    }

    @Test
    void neverUpscalesASmallImage() throws Exception {
        java.awt.image.BufferedImage small = new java.awt.image.BufferedImage(40, 30,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        Path file = write("small.png", ImageCorpus.write(small, "png"));

        ThumbnailRenderer.Rendering rendering = renderer.render(file, ContentType.PNG, 1);

        for (ThumbnailRenderer.RenderedThumbnail thumbnail : rendering.thumbnails()) {
            assertThat(thumbnail.image().width()).isEqualTo(40);
            assertThat(thumbnail.image().height()).isEqualTo(30);
        }
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }
}
