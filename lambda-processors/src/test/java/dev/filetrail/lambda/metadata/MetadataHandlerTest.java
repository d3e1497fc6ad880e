package dev.filetrail.lambda.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import dev.filetrail.events.processing.ExifData;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.events.processing.ProcessingResult.Status;
import dev.filetrail.lambda.corpus.ImageCorpus;
import dev.filetrail.lambda.derivatives.DerivativeKeys;
import dev.filetrail.lambda.results.CollectingPublisher;
import dev.filetrail.lambda.s3event.LambdaEvents;
import dev.filetrail.lambda.source.SourceVersion;
import dev.filetrail.lambda.source.SourceBuckets;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealParts.class)
class MetadataHandlerTest {
    private SourceBuckets buckets;
    private CollectingPublisher published;
    private MetadataHandler handler;

    @BeforeEach
    void setUp(EmbeddedS3 s3) {
        buckets = new SourceBuckets(s3);
        published = new CollectingPublisher();
        handler = new MetadataHandler(buckets.config, buckets.s3For(ProcessingResult.METADATA), published);
    }

    private ProcessingResult process(String key, byte[] bytes) {
        SourceVersion version = buckets.put(key, bytes);
        handler.handleRequest(LambdaEvents.snsEvent(SourceBuckets.notification(version)), null);
        return published.last();
    }

    @Test
    void sniffsTheTypeFromTheBytesAndReadsExifWithGps() throws Exception {
        byte[] photo = ImageCorpus.sample("exif-orientation-6.jpg").bytes();

        ProcessingResult result = process("misnamed/notes.txt", photo);

        assertThat(result.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(result.processor()).isEqualTo(ProcessingResult.METADATA);
        assertThat(result.contentType()).isEqualTo("image/jpeg");
        assertThat(result.width()).as("upright width").isEqualTo(ImageCorpus.HEIGHT);
        assertThat(result.height()).as("upright height").isEqualTo(ImageCorpus.WIDTH);
        assertThat(result.size()).isEqualTo(photo.length);
        assertThat(result.sha256()).isEqualTo(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(photo)));
        ExifData exif = result.exif();
        assertThat(exif.orientation()).isEqualTo(6);
        assertThat(exif.cameraMake()).isEqualTo("Filetrail");
        assertThat(exif.cameraModel()).isEqualTo("Corpus Cam 6");
        assertThat(exif.captureTime()).isEqualTo(Instant.parse("2024-05-17T12:03:22Z"));
        assertThat(exif.gpsLatitude()).isCloseTo(ImageCorpus.LATITUDE, within(1e-5));
        assertThat(exif.gpsLongitude()).isCloseTo(ImageCorpus.LONGITUDE, within(1e-5));
        assertThat(result.thumbnails()).isNull();
        // The published JSON is the contract: it carries the schema marker and the GPS position.
        String json = Json.writeString(result);
        assertThat(json).contains("\"schema\":\"filetrail.processing-result.v1\"").contains("\"gpsLatitude\":48.85");
    }

    @Test
    void everyFormatGetsItsTypeAndDimensions() {
        for (ImageCorpus.Sample sample : ImageCorpus.images()) {
            ProcessingResult result = process("any/" + sample.name() + ".bin", sample.bytes());
            assertThat(result.status()).as(sample.name()).isEqualTo(Status.SUCCEEDED);
            assertThat(result.contentType()).as(sample.name()).isEqualTo(sample.type().mimeType());
            assertThat(result.width()).as(sample.name()).isEqualTo(sample.displayWidth());
            assertThat(result.height()).as(sample.name()).isEqualTo(sample.displayHeight());
        }
    }

    @Test
    void nonImagesGetMetadataOnly() {
        ProcessingResult text = process("docs/readme.jpg", "hello, Filetrail\n".getBytes(StandardCharsets.UTF_8));
        ProcessingResult empty = process("docs/empty.png", new byte[0]);
        ProcessingResult pdf = process("docs/paper", "%PDF-1.7\n%\u00e2\u00e3\n".getBytes(StandardCharsets.ISO_8859_1));

        assertThat(text.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(text.contentType()).isEqualTo("text/plain; charset=utf-8");
        assertThat(text.width()).isNull();
        assertThat(empty.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(empty.size()).isZero();
        assertThat(empty.sha256()).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(pdf.contentType()).isEqualTo("application/pdf");
    }

    @Test
    void aVersionTheApiRestoredNamesItsSourceFromItsObjectMetadata() {
        SourceVersion original = buckets.put("restored/report.txt", "the words".getBytes(StandardCharsets.UTF_8));
        // As the query API's restore writes it: a copy of the version, with the restored-from metadata.
        var copied = buckets.s3.copyObject(b -> b.sourceBucket(original.bucket()).sourceKey(original.key())
                .sourceVersionId(original.versionId()).destinationBucket(original.bucket())
                .destinationKey(original.key()).metadataDirective(
                        software.amazon.awssdk.services.s3.model.MetadataDirective.REPLACE)
                .metadata(java.util.Map.of(dev.filetrail.lambda.source.SourceFetcher.RESTORED_FROM,
                        original.versionId())));
        SourceVersion copy = new SourceVersion(original.bucket(), original.key(), copied.versionId(), original.size(),
                copied.copyObjectResult().eTag(), "0055AED6DCD90281F0", "ObjectCreated:Copy");

        handler.handleRequest(LambdaEvents.snsEvent(SourceBuckets.notification(copy)), null);
        ProcessingResult restored = published.last();
        ProcessingResult plain = process("restored/other.txt", "the words".getBytes(StandardCharsets.UTF_8));

        assertThat(restored.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(restored.versionId()).isEqualTo(copied.versionId());
        assertThat(restored.restoredFrom()).isEqualTo(original.versionId());
        assertThat(Json.writeString(restored)).contains("\"restoredFrom\":\"" + original.versionId() + "\"");
        assertThat(plain.restoredFrom()).isNull();
    }

    @Test
    void aBombIsMeasuredFromItsHeaderWithoutDecoding() {
        ProcessingResult result = process("bombs/bomb.png", ImageCorpus.pngBomb());

        assertThat(result.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(result.width()).isEqualTo(20000);
        assertThat(result.height()).isEqualTo(20000);
    }

    @Test
    void aCorruptImageIsAFailureThatStillNamesTheBytes() {
        ProcessingResult result = process("bad/garbage.jpg", ImageCorpus.garbageAfterJpegMagic());

        assertThat(result.status()).isEqualTo(Status.FAILED);
        assertThat(result.failureReason()).startsWith("corrupt image/jpeg");
        assertThat(result.contentType()).isEqualTo("image/jpeg");
        assertThat(result.size()).isEqualTo(4096);
    }

    @Test
    void redeliveryRepublishesTheStoredResult() {
        SourceVersion version = buckets.put("again.jpg", ImageCorpus.sample("exif-orientation-3.jpg").bytes());
        String resultKey = DerivativeKeys.result(DerivativeKeys.METADATA, version);
        handler.handleRequest(LambdaEvents.snsEvent(SourceBuckets.notification(version)), null);
        String written = buckets.latestDerivativeVersion(resultKey);
        handler.handleRequest(LambdaEvents.snsEvent(SourceBuckets.notification(version)), null);

        assertThat(published.results()).hasSize(2);
        // The very same result, except that the tags (which can change, unlike the bytes) are read again.
        assertThat(published.results().get(1)).usingRecursiveComparison().ignoringFields("tagsFetchedAt")
                .isEqualTo(published.results().get(0));
        assertThat(published.results().get(1).tagsFetchedAt()).isAfterOrEqualTo(published.results().get(0)
                .tagsFetchedAt());
        // Compared by version rather than counted: under load an SDK retry of the first PUT can leave two versions.
        assertThat(buckets.latestDerivativeVersion(resultKey)).isEqualTo(written);
    }

    @Test
    void aDeletedVersionIsAFailure() {
        SourceVersion version = buckets.put("gone.txt", "bye".getBytes(StandardCharsets.UTF_8));
        buckets.s3.deleteObject(b -> b.bucket(version.bucket()).key(version.key()).versionId(version.versionId()));

        handler.handleRequest(LambdaEvents.snsEvent(SourceBuckets.notification(version)), null);

        assertThat(published.last().status()).isEqualTo(Status.FAILED);
        assertThat(published.last().failureReason()).contains("no longer exists");
    }
}
