package dev.filetrail.lambda.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.filetrail.events.processing.ExifData;
import dev.filetrail.lambda.corpus.ExifSegment;
import dev.filetrail.lambda.corpus.ImageCorpus;
import dev.filetrail.lambda.image.ContentType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExifReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsCameraTimeOrientationAndGps() throws Exception {
        Path file = dir.resolve("photo.jpg");
        Files.write(file, ImageCorpus.sample("exif-orientation-8.jpg").bytes());

        ExifData exif = ExifReader.read(file, ContentType.JPEG);

        assertThat(exif.orientation()).isEqualTo(8);
        assertThat(ExifReader.orientation(exif)).isEqualTo(8);
        assertThat(exif.cameraMake()).isEqualTo("Filetrail");
        assertThat(exif.captureTime()).isEqualTo(Instant.parse("2024-05-17T12:03:22Z"));
        assertThat(exif.gpsLatitude()).isCloseTo(48.858222, within(1e-5));
        assertThat(exif.gpsLongitude()).isCloseTo(2.2945, within(1e-5));
    }

    @Test
    void timeWithoutOffsetIsReadAsUtcAndSouthWestIsNegative() throws Exception {
        byte[] exif = ExifSegment.payload(1, "Acme", "One", "2023:12:31 23:59:58", null, -33.8568, -151.2153);
        Path file = dir.resolve("south.jpg");
        Files.write(file, ExifSegment.insertInto(ImageCorpus.sample("plain.jpg").bytes(), exif));

        ExifData data = ExifReader.read(file, ContentType.JPEG);

        assertThat(data.captureTime()).isEqualTo(Instant.parse("2023-12-31T23:59:58Z"));
        assertThat(data.gpsLatitude()).isCloseTo(-33.8568, within(1e-5));
        assertThat(data.gpsLongitude()).isCloseTo(-151.2153, within(1e-5));
    }

    @Test
    void noExifIsNullAndOrientationOne() throws Exception {
        Path file = dir.resolve("plain.png");
        Files.write(file, ImageCorpus.sample("opaque.png").bytes());

        assertThat(ExifReader.read(file, ContentType.PNG)).isNull();
        assertThat(ExifReader.orientation(null)).isEqualTo(1);
        assertThat(ExifReader.read(file, ContentType.TEXT)).isNull();
    }
}
