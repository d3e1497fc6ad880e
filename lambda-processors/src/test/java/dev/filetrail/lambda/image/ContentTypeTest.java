package dev.filetrail.lambda.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.lambda.corpus.ImageCorpus;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ContentTypeTest {

    private static ContentType sniff(byte[] bytes) {
        return ContentType.sniff(bytes, bytes.length);
    }

    @Test
    void recognisesEveryCorpusFormatFromItsBytes() {
        for (ImageCorpus.Sample sample : ImageCorpus.images()) {
            assertThat(sniff(sample.bytes())).as(sample.name()).isEqualTo(sample.type());
        }
    }

    @Test
    void recognisesCommonNonImages() {
        assertThat(sniff(new byte[0])).isEqualTo(ContentType.EMPTY);
        assertThat(sniff("%PDF-1.4\n".getBytes(StandardCharsets.US_ASCII))).isEqualTo(ContentType.PDF);
        assertThat(sniff(new byte[] {'P', 'K', 3, 4, 20, 0})).isEqualTo(ContentType.ZIP);
        assertThat(sniff(new byte[] {0x1F, (byte) 0x8B, 8, 0})).isEqualTo(ContentType.GZIP);
        assertThat(sniff(new byte[] {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c', 0, 0}))
                .isEqualTo(ContentType.HEIC);
        assertThat(sniff(new byte[] {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0}))
                .isEqualTo(ContentType.MP4);
        assertThat(sniff("{\"a\": 1}".getBytes(StandardCharsets.UTF_8))).isEqualTo(ContentType.JSON);
        assertThat(sniff("<svg xmlns=\"http://www.w3.org/2000/svg\"/>".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(ContentType.SVG);
        assertThat(sniff("Grüße aus Köln\n".getBytes(StandardCharsets.UTF_8))).isEqualTo(ContentType.TEXT);
        assertThat(sniff(new byte[] {0, 1, 2, 3, (byte) 0xFE, 0x10})).isEqualTo(ContentType.UNKNOWN);
    }

    @Test
    void textStartingWithBmIsNotABitmap() {
        assertThat(sniff("BMW drivers and BMX riders\n".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo(ContentType.TEXT);
    }

    @Test
    void onlyDecodableImagesAreThumbnailable() {
        assertThat(ContentType.JPEG.thumbnailable()).isTrue();
        assertThat(ContentType.WEBP.thumbnailable()).isTrue();
        assertThat(ContentType.HEIC.thumbnailable()).isFalse();
        assertThat(ContentType.PDF.thumbnailable()).isFalse();
    }
}
