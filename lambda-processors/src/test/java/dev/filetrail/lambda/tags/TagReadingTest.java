package dev.filetrail.lambda.tags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.events.processing.ProcessingResult.Status;
import dev.filetrail.lambda.metadata.MetadataHandler;
import dev.filetrail.lambda.metadata.MetadataQueueHandler;
import dev.filetrail.lambda.results.CollectingPublisher;
import dev.filetrail.lambda.results.Results;
import dev.filetrail.lambda.s3event.LambdaEvents;
import dev.filetrail.lambda.source.SourceBuckets;
import dev.filetrail.lambda.source.SourceVersion;
import dev.filetrail.lambda.thumbnails.ThumbnailHandler;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * The metadata Lambda reads each version's tags from the real (embedded) S3: at upload with the version's other
 * metadata, and on every tagging event, which names the version but not its tags.
 */
@ExtendWith(RealParts.class)
class TagReadingTest {
    private SourceBuckets buckets;
    private CollectingPublisher published;
    private MetadataHandler handler;

    @BeforeEach
    void setUp(EmbeddedS3 s3) {
        buckets = new SourceBuckets(s3);
        published = new CollectingPublisher();
        handler = new MetadataHandler(buckets.config, buckets.s3For(ProcessingResult.METADATA), published);
    }

    private SourceVersion putTagged(String key, String tagging) {
        PutObjectResponse response = buckets.s3.putObject(b -> b.bucket(buckets.source).key(key).tagging(tagging),
                RequestBody.fromString("hello", StandardCharsets.UTF_8));
        return new SourceVersion(buckets.source, key, response.versionId(), 5L, response.eTag(), "0055AED6DCD90281E5",
                "ObjectCreated:Put");
    }

    private static String taggingNotification(String eventName, SourceVersion version) {
        ObjectNode record = LambdaEvents.s3Record(eventName, version.bucket(), version.key(), version.versionId(),
                null, version.eTag(), null);
        record.put("eventVersion", "2.3");
        return LambdaEvents.s3Notification(record);
    }

    private void putTags(SourceVersion version, Map<String, String> tags) {
        List<Tag> set = tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
                .toList();
        buckets.s3.putObjectTagging(b -> b.bucket(version.bucket()).key(version.key()).versionId(version.versionId())
                .tagging(t -> t.tagSet(set)));
    }

    @Test
    void aNewVersionsResultCarriesTheTagsSetAtUpload() {
        SourceVersion version = putTagged("docs/q3 report+final.txt", "team=finance&review=pending%20legal");
        Instant before = Instant.now();

        handler.handleRequest(LambdaEvents.snsEvent(SourceBuckets.notification(version)), null);

        ProcessingResult result = published.last();
        assertThat(result.processor()).isEqualTo(ProcessingResult.METADATA);
        assertThat(result.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(result.tags()).isEqualTo(Map.of("team", "finance", "review", "pending legal"));
        assertThat(result.tagsFetchedAt()).isAfterOrEqualTo(before.minusMillis(1));
        // The contract on the wire: tags as a JSON object, read back the same.
        ProcessingResult read = Json.MAPPER.convertValue(Json.MAPPER.valueToTree(result), ProcessingResult.class);
        assertThat(read.tags()).isEqualTo(result.tags());
        assertThat(read.tagsFetchedAt()).isEqualTo(result.tagsFetchedAt());

        SourceVersion untagged = buckets.put("docs/plain.txt", "x".getBytes(StandardCharsets.UTF_8));
        handler.handleRequest(LambdaEvents.snsEvent(SourceBuckets.notification(untagged)), null);
        assertThat(published.last().tags()).as("no tags is an empty object, not unknown").isEmpty();
    }

    @Test
    void aTaggingEventIsAnsweredWithThatVersionsTagsAsS3HasThem() {
        SourceVersion v1 = putTagged("photos/cat.jpg", "k=old");
        SourceVersion v2 = buckets.put("photos/cat.jpg", "two".getBytes(StandardCharsets.UTF_8));
        putTags(v1, Map.of("album", "2024", "who", "Ada & Bob"));

        handler.handleRequest(LambdaEvents.snsEvent(taggingNotification("ObjectTagging:Put", v1)), null);

        ProcessingResult result = published.last();
        assertThat(published.results()).hasSize(1);
        assertThat(result.processor()).isEqualTo(ProcessingResult.TAGS);
        assertThat(result.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(result.versionId()).as("the version the event names, not the current one").isEqualTo(v1.versionId());
        assertThat(result.tags()).isEqualTo(Map.of("album", "2024", "who", "Ada & Bob"));
        assertThat(result.contentType()).as("a tags result carries only tags").isNull();
        assertThat(result.thumbnails()).isNull();

        buckets.s3.deleteObjectTagging(b -> b.bucket(v1.bucket()).key(v1.key()).versionId(v1.versionId()));
        handler.handleRequest(LambdaEvents.snsEvent(taggingNotification("ObjectTagging:Delete", v1)), null);
        ProcessingResult removed = published.last();
        assertThat(removed.tags()).as("tags removed: {}").isEmpty();
        assertThat(removed.tagsFetchedAt()).isAfterOrEqualTo(result.tagsFetchedAt());
        assertThat(removed.resultId()).isNotEqualTo(result.resultId());
        assertThat(v2.versionId()).isNotEqualTo(v1.versionId());
    }

    @Test
    void theSqsHandlerAnswersTaggingToo() {
        SourceVersion version = putTagged("q/a.txt", "a=1");
        MetadataQueueHandler queue = new MetadataQueueHandler(buckets.config, buckets.s3For(ProcessingResult.METADATA),
                published);
        var response = queue.handleRequest(LambdaEvents.sqsEvent(List.of(Json.writeString(
                LambdaEvents.snsNotification(taggingNotification("ObjectTagging:Put", version))))), null);
        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(published.last().processor()).isEqualTo(ProcessingResult.TAGS);
        assertThat(published.last().tags()).isEqualTo(Map.of("a", "1"));
    }

    @Test
    void aVersionGoneBeforeItsTaggingEventIsSkippedWithoutTags() {
        SourceVersion version = putTagged("gone.txt", "a=1");
        buckets.s3.deleteObject(b -> b.bucket(version.bucket()).key(version.key()).versionId(version.versionId()));

        handler.handleRequest(LambdaEvents.snsEvent(taggingNotification("ObjectTagging:Put", version)), null);

        assertThat(published.last().status()).isEqualTo(Status.SKIPPED);
        assertThat(published.last().tags()).isNull();
    }

    @Test
    void theThumbnailerIgnoresTaggingEvents() {
        SourceVersion version = putTagged("img.png", "a=1");
        ThumbnailHandler thumbnails = new ThumbnailHandler(buckets.config,
                buckets.s3For(ProcessingResult.THUMBNAILER), published);
        thumbnails.handleRequest(LambdaEvents.snsEvent(taggingNotification("ObjectTagging:Put", version)), null);
        assertThat(published.results()).isEmpty();
    }

    @Test
    void theStampIsTakenBeforeTheRequestAndAnOutageIsThrownForARetry() throws Exception {
        Instant asked = Instant.parse("2026-01-01T00:00:00Z");
        TagReader reader = new TagReader(buckets.s3For(ProcessingResult.METADATA), Clock.fixed(asked, ZoneOffset.UTC));
        SourceVersion version = putTagged("stamp.txt", "a=1");
        assertThat(reader.read(version)).get().satisfies(t -> {
            assertThat(t.fetchedAt()).isEqualTo(asked);
            assertThat(t.tags()).isEqualTo(Map.of("a", "1"));
        });

        // S3 unreachable (a closed port): not "gone", so the SNS invocation fails and Lambda retries it.
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        var unreachable = buckets.config.withS3(java.net.URI.create("http://127.0.0.1:" + closed),
                "filetrail", "filetrail-local-secret", buckets.derivatives);
        MetadataHandler offline = new MetadataHandler(unreachable,
                dev.filetrail.lambda.config.AwsClients.s3(unreachable, ProcessingResult.METADATA), published);
        assertThatThrownBy(() -> offline.handleRequest(
                LambdaEvents.snsEvent(taggingNotification("ObjectTagging:Put", version)), null))
                .isInstanceOf(dev.filetrail.lambda.s3event.NotificationDispatcher.RetryableFailureException.class);
        assertThat(published.results()).as("nothing published for the failed fetch").hasSize(0);
    }

    /**
     * A refusal a retry cannot change (S3's 403 AccessDenied for a role without s3:GetObjectVersionTagging) is not
     * retried for ever: a tagging event gets a SKIPPED result naming it, a new version its metadata without tags.
     * The embedded S3 does not check IAM, so S3's answer is played by a loopback stand-in.
     */
    @Test
    void aRefusalForGoodIsRecordedNotRetried() throws Exception {
        com.sun.net.httpserver.HttpServer denier = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        denier.createContext("/", exchange -> {
            byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>"
                    + "<Message>Access Denied</Message></Error>").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/xml");
            exchange.sendResponseHeaders(403, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        denier.start();
        try {
            var denied = buckets.config.withS3(java.net.URI.create("http://127.0.0.1:"
                    + denier.getAddress().getPort()), "filetrail", "filetrail-local-secret", buckets.derivatives);
            TagReader reader = new TagReader(dev.filetrail.lambda.config.AwsClients.s3(denied, ProcessingResult.METADATA),
                    Clock.systemUTC());
            TagsProcessor processor = new TagsProcessor(reader, new Results(Clock.systemUTC()));
            SourceVersion version = new SourceVersion(buckets.source, "k.txt", "v1", null, "e", null,
                    "ObjectTagging:Put");
            ProcessingResult result = processor.process(version);
            assertThat(result.status()).isEqualTo(Status.SKIPPED);
            assertThat(result.failureReason()).contains("403").contains("AccessDenied");
            assertThat(result.tags()).isNull();
        } finally {
            denier.stop(0);
        }
    }
}
