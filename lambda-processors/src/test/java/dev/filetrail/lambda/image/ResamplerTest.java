package dev.filetrail.lambda.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResamplerTest {

    @Test
    void fitsTheLongSideAndKeepsTheAspect() {
        assertThat(Resampler.fitWithin(4000, 3000, 256)).containsExactly(256, 192);
        assertThat(Resampler.fitWithin(3000, 4000, 256)).containsExactly(192, 256);
        assertThat(Resampler.fitWithin(5000, 10, 64)).containsExactly(64, 1);
        assertThat(Resampler.fitWithin(100, 50, 256)).containsExactly(100, 50);
    }

    @Test
    void aFlatColourStaysExactlyThatColour() {
        Pixels flat = Pixels.allocate(1000, 700, 3);
        for (int i = 0; i < flat.data().length; i += 3) {
            flat.data()[i] = (byte) 200;
            flat.data()[i + 1] = (byte) 100;
            flat.data()[i + 2] = (byte) 50;
        }

        Pixels small = Resampler.resize(flat, 97, 68);

        assertThat(small.width()).isEqualTo(97);
        assertThat(small.height()).isEqualTo(68);
        for (int y = 0; y < small.height(); y++) {
            for (int x = 0; x < small.width(); x++) {
                assertThat(small.argb(x, y)).isEqualTo(0xFFC86432);
            }
        }
    }

    @Test
    void transparentPixelsDoNotBleedTheirColourIntoOpaqueOnes() {
        // Left half: opaque blue. Right half: fully transparent but with red colour values.
        Pixels image = Pixels.allocate(200, 100, 4);
        byte[] d = image.data();
        for (int y = 0; y < 100; y++) {
            for (int x = 0; x < 200; x++) {
                int i = (y * 200 + x) * 4;
                if (x < 100) {
                    d[i + 2] = (byte) 255;
                    d[i + 3] = (byte) 255;
                } else {
                    d[i] = (byte) 255;
                }
            }
        }

        Pixels small = Resampler.resize(image, 20, 10);

        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 20; x++) {
                int argb = small.argb(x, y);
                if ((argb >>> 24) > 0) {
                    assertThat(argb >> 16 & 0xFF).as("red at %d,%d", x, y).isLessThanOrEqualTo(2);
                }
            }
        }
        assertThat(small.argb(2, 5) >>> 24).isEqualTo(255);
        assertThat(small.argb(17, 5) >>> 24).isZero();
    }

    @Test
    void aFineCheckerboardAveragesToGreyInsteadOfAliasing() {
        Pixels checker = Pixels.allocate(1024, 1024, 3);
        byte[] d = checker.data();
        for (int y = 0; y < 1024; y++) {
            for (int x = 0; x < 1024; x++) {
                byte v = (byte) (((x + y) & 1) == 0 ? 255 : 0);
                int i = (y * 1024 + x) * 3;
                d[i] = v;
                d[i + 1] = v;
                d[i + 2] = v;
            }
        }

        Pixels small = Resampler.resize(checker, 100, 100);

        for (int i = 0; i < small.data().length; i++) {
            assertThat(small.data()[i] & 0xFF).isBetween(120, 135);
        }
    }
}
