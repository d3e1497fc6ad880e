package dev.filetrail.lambda.thumbnails;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.object.EventIds;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.events.processing.ProcessingResult.Status;
import dev.filetrail.events.processing.Thumbnail;
import dev.filetrail.lambda.corpus.ImageCorpus;
import dev.filetrail.lambda.corpus.ThumbnailChecks;
import dev.filetrail.lambda.derivatives.DerivativeKeys;
import dev.filetrail.lambda.results.CollectingPublisher;
import dev.filetrail.lambda.s3event.LambdaEvents;
import dev.filetrail.lambda.s3event.NotificationDispatcher;
import dev.filetrail.lambda.source.SourceVersion;
import dev.filetrail.lambda.source.SourceBuckets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

@ExtendWith(RealParts.class)
class ThumbnailHandlerTest {
    private SourceBuckets buckets;
    private CollectingPublisher published;
    private ThumbnailHandler handler;

    @BeforeEach
    void setUp(EmbeddedS3 s3) {
        buckets = new SourceBuckets(s3);
        published = new CollectingPublisher();
        handler = new ThumbnailHandler(buckets.config, buckets.s3For(ProcessingResult.THUMBNAILER), published);
    }

    @Test
    void thumbnailsTheWholeCorpusFromSnsEvents() throws Exception {
        for (ImageCorpus.Sample sample : ImageCorpus.images()) {
            // A key with a space, a plus and a slash: it arrives form-URL-encoded and must be decoded.
            SourceVersion version = buckets.put("albums/trip 2024+/" + sample.name(), sample.bytes());

            handler.handleRequest(LambdaEvents.snsEvent(SourceBuckets.notification(version)), null);

            ProcessingResult result = published.last();
            assertThat(result.status()).as(sample.name() + ": " + result.failureReason()).isEqualTo(Status.SUCCEEDED);
            assertThat(result.processor()).isEqualTo(ProcessingResult.THUMBNAILER);
            assertThat(result.bucket()).isEqualTo(buckets.source);
            assertThat(result.key()).isEqualTo(version.key());
            assertThat(result.versionId()).isEqualTo(version.versionId());
            assertThat(result.contentType()).isEqualTo(sample.type().mimeType());
            assertThat(result.width()).isEqualTo(sample.displayWidth());
            assertThat(result.height()).isEqualTo(sample.displayHeight());
            assertThat(result.size()).isEqualTo(sample.bytes().length);
            assertThat(result.sha256()).isEqualTo(sha256(sample.bytes()));
            assertThat(result.exif()).isNull();
            assertThat(result.resultId()).isEqualTo(EventIds.sha256Hex("processing-result",
                    ProcessingResult.THUMBNAILER, buckets.source, version.key(), version.versionId(), "SUCCEEDED"));
            assertThat(result.thumbnails()).extracting(Thumbnail::size).containsExactly(1024, 256, 64);

            for (Thumbnail thumbnail : result.thumbnails()) {
                assertThat(thumbnail.bucket()).isEqualTo(buckets.derivatives);
                assertThat(thumbnail.key()).isEqualTo(DerivativeKeys.thumbnail(version, thumbnail.size(),
                        sample.transparent() ? "png" : "jpg"));
                ResponseBytes<GetObjectResponse> stored = buckets.s3.getObjectAsBytes(b -> b
                        .bucket(thumbnail.bucket()).key(thumbnail.key()));
                assertThat(stored.response().contentType()).isEqualTo(thumbnail.contentType());
                assertThat(stored.asByteArray()).hasSize((int) thumbnail.bytes());
                assertThat(stored.response().metadata()).containsEntry("source-bucket", buckets.source)
                        .containsEntry("source-key", DerivativeKeys.encode(version.key()))
                        .containsEntry("source-version-id", version.versionId());
                ThumbnailChecks.assertThumbnail(sample, stored.asByteArray(), thumbnail.contentType(),
                        thumbnail.size());
                var decoded = ThumbnailChecks.decode(stored.asByteArray());
                assertThat(decoded.getWidth()).isEqualTo(thumbnail.width());
                assertThat(decoded.getHeight()).isEqualTo(thumbnail.height());
            }
        }
    }

    @Test
    void exifOrientationSixBecomesPortraitWithoutGps() {
        ImageCorpus.Sample sample = ImageCorpus.sample("exif-orientation-6.jpg");
        SourceVersion version = buckets.put("phone/IMG_0001.JPG", sample.bytes());

        handler.handleRequest(LambdaEvents.snsEvent(SourceBuckets.notification(version)), null);

        Thumbnail medium = published.last().thumbnails().get(1);
        assertThat(medium.width()).isEqualTo(171);
        assertThat(medium.height()).isEqualTo(256);
        byte[] bytes = buckets.s3.getObjectAsBytes(b -> b.bucket(medium.bucket()).key(medium.key())).asByteArray();
        ThumbnailChecks.assertNoExif("256 px thumbnail", bytes);
        assertThat(sample.bytes()).as("the source itself does carry EXIF").isNotEqualTo(bytes);
    }

    @Test
    void redeliveryRepublishesTheSameResultWithoutRewritingAnything() {
        SourceVersion version = buckets.put("redelivered.png", ImageCorpus.sample("alpha.png").bytes());
        var event = LambdaEvents.snsEvent(SourceBuckets.notification(version));

        handler.handleRequest(event, null);
        ProcessingResult first = published.last();
        Map<String, String> versionsBefore = derivativeVersionIds(first);
        String resultKey = DerivativeKeys.result(DerivativeKeys.THUMBNAILS, version);
        String resultBefore = buckets.latestDerivativeVersion(resultKey);

        handler.handleRequest(LambdaEvents.snsEvent(SourceBuckets.notification(version)), null);
        // A second handler instance (a new Lambda container) must find the work done too.
        new ThumbnailHandler(buckets.config, buckets.s3For(ProcessingResult.THUMBNAILER), published)
                .handleRequest(LambdaEvents.snsEvent(SourceBuckets.notification(version)), null);

        assertThat(published.results()).hasSize(3).allSatisfy(r -> assertThat(r).isEqualTo(first));
        // Compared by newest version id rather than by counting versions: under load an SDK retry of the first
        // PUT can leave two versions of one write, which says nothing about re-delivery.
        assertThat(derivativeVersionIds(first)).isEqualTo(versionsBefore);
        assertThat(buckets.latestDerivativeVersion(resultKey)).isEqualTo(resultBefore);
    }

    @Test
    void aMissingThumbnailIsRenderedAgain() {
        SourceVersion version = buckets.put("healed.jpg", ImageCorpus.sample("plain.jpg").bytes());
        handler.handleRequest(LambdaEvents.snsEvent(SourceBuckets.notification(version)), null);
        Thumbnail small = published.last().thumbnails().get(2);
        buckets.s3.deleteObject(b -> b.bucket(small.bucket()).key(small.key()));

        handler.handleRequest(LambdaEvents.snsEvent(SourceBuckets.notification(version)), null);

        assertThat(published.last().status()).isEqualTo(Status.SUCCEEDED);
        HeadObjectResponse head = buckets.s3.headObject(b -> b.bucket(small.bucket()).key(small.key()));
        assertThat(head.contentLength()).isEqualTo(small.bytes());
    }

    @Test
    void badInputIsRecordedAndNeverThrown() {
        Map<String, byte[]> inputs = Map.of(
                "bad/garbage.jpg", ImageCorpus.garbageAfterJpegMagic(),
                "bad/cut.jpg", ImageCorpus.truncatedJpeg(),
                "bad/empty.jpg", new byte[0],
                "bad/readme.jpg", "just some text, not a picture\n".getBytes(),
                "bad/flood.jpg", ImageCorpus.jpegPixelFlood(),
                "bad/bomb.png", ImageCorpus.pngBomb());
        for (var input : inputs.entrySet()) {
            SourceVersion version = buckets.put(input.getKey(), input.getValue());
            handler.handleRequest(LambdaEvents.snsEvent(SourceBuckets.notification(version)), null);
        }

        Map<String, ProcessingResult> byKey = new java.util.HashMap<>();
        published.results().forEach(r -> byKey.put(r.key(), r));
        assertThat(byKey.get("bad/garbage.jpg").status()).isEqualTo(Status.FAILED);
        assertThat(byKey.get("bad/garbage.jpg").failureReason()).startsWith("corrupt image/jpeg");
        assertThat(byKey.get("bad/cut.jpg").status()).isEqualTo(Status.FAILED);
        assertThat(byKey.get("bad/empty.jpg").status()).isEqualTo(Status.SKIPPED);
        assertThat(byKey.get("bad/empty.jpg").failureReason()).contains("zero-byte");
        assertThat(byKey.get("bad/empty.jpg").size()).isZero();
        assertThat(byKey.get("bad/readme.jpg").status()).isEqualTo(Status.SKIPPED);
        assertThat(byKey.get("bad/readme.jpg").contentType()).startsWith("text/plain");
        assertThat(byKey.get("bad/flood.jpg").status()).isEqualTo(Status.FAILED);
        assertThat(byKey.get("bad/flood.jpg").failureReason()).contains("decompression bomb");
        assertThat(byKey.get("bad/bomb.png").failureReason()).contains("decompression bomb");
        assertThat(buckets.derivativeKeys()).isEmpty();
    }

    @Test
    void aVersionDeletedBeforeTheHandlerRunsIsAFailureNotARetry() {
        SourceVersion version = buckets.put("gone.jpg", ImageCorpus.sample("plain.jpg").bytes());
        buckets.s3.deleteObject(b -> b.bucket(version.bucket()).key(version.key()).versionId(version.versionId()));

        handler.handleRequest(LambdaEvents.snsEvent(SourceBuckets.notification(version)), null);

        assertThat(published.last().status()).isEqualTo(Status.FAILED);
        assertThat(published.last().failureReason()).contains("no longer exists");
    }

    @Test
    void onlyCreatedVersionsAreProcessed() {
        SourceVersion version = buckets.put("kept.jpg", ImageCorpus.sample("plain.jpg").bytes());
        String removed = LambdaEvents.s3Notification(LambdaEvents.s3Record("ObjectRemoved:Delete",
                version.bucket(), version.key(), version.versionId(), null, null, "0055AED6DCD90281E6"));
        String tagged = LambdaEvents.s3Notification(LambdaEvents.s3Record("ObjectTagging:Put",
                version.bucket(), version.key(), version.versionId(), null, version.eTag(), null));

        handler.handleRequest(LambdaEvents.snsEvent(LambdaEvents.testEvent(buckets.source), removed, tagged), null);

        assertThat(published.results()).isEmpty();
        assertThat(buckets.derivativeKeys()).isEmpty();
    }

    @Test
    void anS3OutageFailsTheInvocationSoLambdaRetriesIt() {
        SourceVersion version = buckets.put("retry.jpg", ImageCorpus.sample("plain.jpg").bytes());
        var broken = new ThumbnailHandler(buckets.config.withS3(buckets.config.s3Endpoint(),
                buckets.config.accessKeyId(), buckets.config.secretAccessKey(), "no-such-derivatives-bucket"),
                buckets.s3, published);

        assertThatThrownBy(() -> broken.handleRequest(LambdaEvents.snsEvent(SourceBuckets.notification(version)),
                null)).isInstanceOf(NotificationDispatcher.RetryableFailureException.class);
        assertThat(published.results()).isEmpty();
    }

    private Map<String, String> derivativeVersionIds(ProcessingResult result) {
        Map<String, String> versions = new java.util.TreeMap<>();
        List<String> keys = new java.util.ArrayList<>(result.thumbnails().stream().map(Thumbnail::key).toList());
        for (String key : keys) {
            versions.put(key, buckets.s3.headObject(b -> b.bucket(buckets.derivatives).key(key)).versionId());
        }
        return versions;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
