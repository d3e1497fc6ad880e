package dev.filetrail.local.s3notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SNSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.embedded.FreePort;
import dev.filetrail.embedded.LocalAws;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.embedded.sqs.EmbeddedSqs;
import dev.filetrail.events.Json;
import dev.filetrail.local.lambda.LambdaRuntime;
import dev.filetrail.local.sns.SnsEmulator;
import dev.filetrail.local.sns.SnsMessage;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/** S3 changes on the local S3 reach SQS and Lambda subscribers through the SNS emulator in AWS's formats. */
@ExtendWith(RealParts.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BucketNotificationsTest {
    private EmbeddedS3 s3;
    private SnsEmulator sns;
    private LambdaRuntime lambdas;
    private SqsClient sqs;
    private BucketNotifications notifications;
    private String envelopeQueue;
    private String rawQueue;
    private final List<SNSEvent> lambdaEvents = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start(EmbeddedSqs sqsServer) {
        sqs = sqsServer.client();
        lambdas = new LambdaRuntime("us-east-1", LocalAws.ACCOUNT_ID, 2);
        sns = new SnsEmulator(FreePort.pick(), "us-east-1", LocalAws.ACCOUNT_ID, sqs, lambdas).start();
        notifications = new BucketNotifications(sns, new S3EventJson("us-east-1", "AWS:filetrail"));
        s3 = EmbeddedS3.start(0, store -> NotifyingBlobStore.wrap(store, notifications));
        s3.tagging().onChange(notifications::tagged);
        s3.createVersionedBucket("notify-src");
        try (S3Client client = s3.client()) {
            client.createBucket(b -> b.bucket("notify-silent"));
        }
        envelopeQueue = sqs.createQueue(b -> b.queueName("notify-envelope")).queueUrl();
        rawQueue = sqs.createQueue(b -> b.queueName("notify-raw")).queueUrl();
        try (SnsClient snsClient = SnsClient.builder().endpointOverride(URI.create(sns.endpoint()))
                .region(LocalAws.REGION).credentialsProvider(LocalAws.credentials())
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            String topic = snsClient.createTopic(b -> b.name("notify-topic")).topicArn();
            snsClient.subscribe(b -> b.topicArn(topic).protocol("sqs")
                    .endpoint("arn:aws:sqs:us-east-1:000000000000:notify-envelope"));
            snsClient.subscribe(b -> b.topicArn(topic).protocol("sqs")
                    .endpoint("arn:aws:sqs:us-east-1:000000000000:notify-raw")
                    .attributes(Map.of("RawMessageDelivery", "true")));
            String function = lambdas.register("notify-fn", (SNSEvent event, com.amazonaws.services.lambda.runtime.Context c) -> {
                lambdaEvents.add(event);
                return null;
            });
            snsClient.subscribe(b -> b.topicArn(topic).protocol("lambda").endpoint(function));
            notifications.notify("notify-src", topic);
        }
    }

    @AfterAll
    void stop() {
        s3.close();
        sns.close();
        lambdas.close();
        sqs.close();
    }

    @Test
    void putsAndDeletesArriveAsS3NotificationsInBothDeliveryModes() throws Exception {
        String v1;
        String v2;
        String marker;
        try (S3Client client = s3.client()) {
            v1 = client.putObject(b -> b.bucket("notify-src").key("dir/a b+c@ü.txt"), RequestBody.fromString("one")).versionId();
            v2 = client.putObject(b -> b.bucket("notify-src").key("dir/a b+c@ü.txt"), RequestBody.fromString("three")).versionId();
            marker = client.deleteObject(b -> b.bucket("notify-src").key("dir/a b+c@ü.txt")).versionId();
            client.putObject(b -> b.bucket("notify-silent").key("x"), RequestBody.fromString("quiet"));
        }
        List<JsonNode> enveloped = receive(envelopeQueue, 3);
        List<JsonNode> raw = receive(rawQueue, 3);

        JsonNode first = enveloped.get(0);
        assertThat(first.get("Type").asText()).isEqualTo("Notification");
        assertThat(first.get("Subject").asText()).isEqualTo(BucketNotifications.SUBJECT);
        assertThat(first.get("SignatureVersion").asText()).isEqualTo("1");
        SnsMessage signed = new SnsMessage(first.get("MessageId").asText(), first.get("TopicArn").asText(),
                first.get("Subject").asText(), first.get("Message").asText(), Instant.parse(first.get("Timestamp").asText()), Map.of());
        assertThat(sns.envelopes().verify(signed, first.get("Signature").asText())).isTrue();

        List<JsonNode> records = new ArrayList<>();
        for (JsonNode envelope : enveloped) {
            records.add(Json.MAPPER.readTree(envelope.get("Message").asText()).get("Records").get(0));
        }
        assertThat(records).extracting(r -> r.get("eventName").asText())
                .containsExactly("ObjectCreated:Put", "ObjectCreated:Put", "ObjectRemoved:DeleteMarkerCreated");
        assertThat(records).extracting(r -> r.at("/s3/object/versionId").asText()).containsExactly(v1, v2, marker);
        assertThat(records.get(0).at("/s3/object/key").asText()).isEqualTo("dir/a+b%2Bc%40%C3%BC.txt");
        assertThat(records.get(0).at("/s3/object/size").asLong()).isEqualTo(3);
        assertThat(records.get(1).at("/s3/object/size").asLong()).isEqualTo(5);
        assertThat(records.get(2).at("/s3/object").has("size")).isFalse();
        assertThat(records.get(0).get("eventVersion").asText()).isEqualTo("2.1");
        String seq1 = records.get(0).at("/s3/object/sequencer").asText();
        String seq2 = records.get(1).at("/s3/object/sequencer").asText();
        assertThat(dev.filetrail.events.object.Sequencer.compare(seq2, seq1)).isPositive();

        assertThat(raw).extracting(r -> r.get("Records").get(0).get("eventName").asText())
                .containsExactly("ObjectCreated:Put", "ObjectCreated:Put", "ObjectRemoved:DeleteMarkerCreated");

        for (int i = 0; i < 100 && lambdaEvents.size() < 3; i++) {
            Thread.sleep(50);
        }
        assertThat(lambdaEvents).hasSize(3);
        SNSEvent.SNS lambdaSns = lambdaEvents.get(0).getRecords().get(0).getSNS();
        assertThat(lambdaSns.getSubject()).isEqualTo(BucketNotifications.SUBJECT);
        assertThat(Json.MAPPER.readTree(lambdaSns.getMessage()).at("/Records/0/s3/bucket/name").asText()).isEqualTo("notify-src");
    }

    /** Tagging a version (by the SDK, as any client does) is reported in S3's format: 2.3, eTag, no sequencer. */
    @Test
    void taggingAVersionIsReportedAsObjectTaggingPutAndDelete() throws Exception {
        String queue = sqs.createQueue(b -> b.queueName("notify-tagging")).queueUrl();
        sns.subscribe(sns.topicArn("notify-topic"), "sqs", "arn:aws:sqs:us-east-1:000000000000:notify-tagging", true);
        String version;
        String key = "tagged/a b+ü.txt";
        try (S3Client client = s3.client()) {
            version = client.putObject(b -> b.bucket("notify-src").key(key), RequestBody.fromString("x")).versionId();
            client.putObjectTagging(b -> b.bucket("notify-src").key(key).versionId(version)
                    .tagging(t -> t.tagSet(software.amazon.awssdk.services.s3.model.Tag.builder().key("k").value("v")
                            .build())));
            client.deleteObjectTagging(b -> b.bucket("notify-src").key(key).versionId(version));
        }
        List<JsonNode> records = receive(queue, 3).stream().map(r -> r.get("Records").get(0)).toList();
        List<JsonNode> tagging = records.stream().filter(r -> r.get("eventName").asText().startsWith("ObjectTagging:"))
                .toList();
        assertThat(tagging).extracting(r -> r.get("eventName").asText())
                .containsExactlyInAnyOrder("ObjectTagging:Put", "ObjectTagging:Delete");
        for (JsonNode r : tagging) {
            assertThat(r.get("eventVersion").asText()).isEqualTo("2.3");
            assertThat(r.at("/s3/object/versionId").asText()).isEqualTo(version);
            assertThat(r.at("/s3/object/key").asText()).isEqualTo("tagged/a+b%2B%C3%BC.txt");
            assertThat(r.at("/s3/object/eTag").asText()).isNotBlank().doesNotContain("\"");
            assertThat(r.at("/s3/object").has("sequencer")).isFalse();
            assertThat(r.at("/s3/object").has("size")).isFalse();
            // The bridge's parser reads it as the tagging fact it is.
            var parsed = new dev.filetrail.events.s3.S3NotificationStreamingParser(Json.MAPPER.getFactory())
                    .scan(Json.writeString(Json.MAPPER.createObjectNode().set("Records",
                            Json.MAPPER.createArrayNode().add(r))));
            assertThat(parsed).isInstanceOf(dev.filetrail.events.s3.S3NotificationStreamingParser.Records.class);
        }
    }

    @Test
    void aVersionDeleteIsReportedAsObjectRemovedDelete() throws Exception {
        String queue = sqs.createQueue(b -> b.queueName("notify-delete")).queueUrl();
        sns.subscribe(sns.topicArn("notify-topic"), "sqs", "arn:aws:sqs:us-east-1:000000000000:notify-delete", true);
        String version;
        try (S3Client client = s3.client()) {
            version = client.putObject(b -> b.bucket("notify-src").key("gone"), RequestBody.fromString("x")).versionId();
            client.deleteObject(b -> b.bucket("notify-src").key("gone").versionId(version));
        }
        // A standard queue does not keep order: find each notification by what it is, not where it came.
        List<String> names = receive(queue, 2).stream().map(r -> r.get("Records").get(0))
                .map(r -> r.get("eventName").asText() + " " + r.at("/s3/object/versionId").asText()).toList();
        assertThat(names).containsExactlyInAnyOrder("ObjectCreated:Put " + version, "ObjectRemoved:Delete " + version);
    }

    /**
     * Removing a delete marker by its versionId removes it for good, as removing any version does: S3 reports
     * ObjectRemoved:Delete, not another DeleteMarkerCreated (its response says x-amz-delete-marker: true because the
     * version removed was a marker). Found by the chaos run, where such markers stayed in the history.
     */
    @Test
    void removingADeleteMarkerIsReportedAsObjectRemovedDelete() throws Exception {
        // A bucket and topic of its own, so the other tests' queues see none of this.
        String queue = sqs.createQueue(b -> b.queueName("notify-unmark")).queueUrl();
        String topic = sns.createTopic("notify-unmark-topic");
        sns.subscribe(topic, "sqs", "arn:aws:sqs:us-east-1:000000000000:notify-unmark", true);
        s3.createVersionedBucket("notify-unmark");
        notifications.notify("notify-unmark", topic);
        String marker;
        try (S3Client client = s3.client()) {
            client.putObject(b -> b.bucket("notify-unmark").key("unmarked"), RequestBody.fromString("x"));
            marker = client.deleteObject(b -> b.bucket("notify-unmark").key("unmarked")).versionId();
            client.deleteObject(b -> b.bucket("notify-unmark").key("unmarked").versionId(marker));
        }
        List<JsonNode> raw = receive(queue, 3);
        assertThat(raw).extracting(r -> r.at("/Records/0/eventName").asText())
                .containsExactly("ObjectCreated:Put", "ObjectRemoved:DeleteMarkerCreated", "ObjectRemoved:Delete");
        assertThat(raw).extracting(r -> r.at("/Records/0/s3/object/versionId").asText()).endsWith(marker, marker);
    }

    /**
     * A multipart upload keeps its user metadata behind the notifying store (behind a dynamic proxy s3proxy could not
     * tell the store's kind and dropped it) and is reported as CompleteMultipartUpload; a DeleteObjects of two keys is
     * reported once per key, as S3 does.
     */
    @Test
    void aMultipartUploadKeepsItsMetadataAndABatchDeleteIsReportedPerKey() throws Exception {
        String queue = sqs.createQueue(b -> b.queueName("notify-multipart")).queueUrl();
        String topic = sns.createTopic("notify-multipart-topic");
        sns.subscribe(topic, "sqs", "arn:aws:sqs:us-east-1:000000000000:notify-multipart", true);
        s3.createVersionedBucket("notify-multipart");
        notifications.notify("notify-multipart", topic);
        String version;
        try (S3Client client = s3.client()) {
            String upload = client.createMultipartUpload(b -> b.bucket("notify-multipart").key("big")
                    .metadata(Map.of("filetrail-restored-from", "v-source"))).uploadId();
            String eTag = client.uploadPart(b -> b.bucket("notify-multipart").key("big").uploadId(upload).partNumber(1),
                    RequestBody.fromString("part one")).eTag();
            version = client.completeMultipartUpload(b -> b.bucket("notify-multipart").key("big").uploadId(upload)
                    .multipartUpload(m -> m.parts(p -> p.partNumber(1).eTag(eTag)))).versionId();
            assertThat(client.headObject(b -> b.bucket("notify-multipart").key("big").versionId(version)).metadata())
                    .containsEntry("filetrail-restored-from", "v-source");
            client.putObject(b -> b.bucket("notify-multipart").key("small"), RequestBody.fromString("x"));
            client.deleteObjects(b -> b.bucket("notify-multipart").delete(d -> d.objects(
                    o -> o.key("big"), o -> o.key("small"))));
        }
        List<String> names = receive(queue, 4).stream().map(r -> r.at("/Records/0/eventName").asText() + " "
                + r.at("/Records/0/s3/object/key").asText()).toList();
        assertThat(names).containsExactlyInAnyOrder("ObjectCreated:CompleteMultipartUpload big",
                "ObjectCreated:Put small", "ObjectRemoved:DeleteMarkerCreated big",
                "ObjectRemoved:DeleteMarkerCreated small");
    }

    private List<JsonNode> receive(String queueUrl, int count) throws Exception {
        List<JsonNode> bodies = new ArrayList<>();
        for (int i = 0; i < 20 && bodies.size() < count; i++) {
            for (Message message : sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1)).messages()) {
                bodies.add(Json.MAPPER.readTree(message.body()));
                sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
            }
        }
        assertThat(bodies).hasSize(count);
        return bodies;
    }
}
