package dev.filetrail.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.EmbeddedKafka;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.embedded.sqs.EmbeddedSqs;
import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.events.kafka.KafkaRole;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

@ExtendWith(RealParts.class)
class RealPartsTest {

    @Test
    void kafkaTakesAndGivesBackARecord(KafkaCluster kafka) throws Exception {
        try (var admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic("filetrail.smoke", 1, (short) 1))).all().get();
        }
        KafkaClientSettings ops = kafka.settings(KafkaRole.OPS);
        try (var producer = ops.newProducer(Map.of("acks", "all"), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("filetrail.smoke", "k", "v")).get();
        }
        try (var consumer = ops.newConsumer(Map.of("group.id", "filetrail-smoke", "auto.offset.reset", "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("filetrail.smoke"));
            ConsumerRecords<String, String> records = ConsumerRecords.empty();
            for (int i = 0; i < 50 && records.isEmpty(); i++) {
                records = consumer.poll(Duration.ofMillis(200));
            }
            assertThat(records.iterator().next().value()).isEqualTo("v");
        }
    }

    @Test
    void theSharedBrokerComesWithEveryFiletrailTopic(KafkaCluster kafka) throws Exception {
        try (var admin = kafka.admin()) {
            assertThat(admin.listTopics().names().get()).containsAll(Topics.ALL);
        }
    }

    @Test
    void embeddedKafkaSurvivesARestartWithItsDataAndItsUsers(KafkaCluster shared) throws Exception {
        if (!(shared instanceof EmbeddedKafka)) {
            return; // an external cluster cannot be restarted from here
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0)) {
            assertThat(kafka.secured()).isTrue();
            try (var admin = kafka.admin()) {
                admin.createTopics(List.of(new NewTopic("filetrail.durable", 1, (short) 1))).all().get();
            }
            kafka.stop();
            kafka.restart();
            // SCRAM users and ACLs live in the metadata log, so the roles log in again as before.
            try (var admin = kafka.admin()) {
                assertThat(admin.listTopics().names().get()).contains("filetrail.durable");
            }
        }
    }

    @Test
    void postgresAnswersQueriesInItsOwnDatabase(PostgresServer postgres) throws Exception {
        String url = postgres.createDatabase("smoke");
        try (Connection connection = DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
             ResultSet rs = connection.createStatement().executeQuery("select current_database(), version()")) {
            rs.next();
            assertThat(rs.getString(1)).startsWith("smoke_");
            assertThat(rs.getString(2)).startsWith("PostgreSQL");
        }
    }

    @Test
    void s3KeepsEveryVersion(EmbeddedS3 s3) {
        s3.createVersionedBucket("smoke-bucket");
        try (S3Client client = s3.client()) {
            String v1 = client.putObject(b -> b.bucket("smoke-bucket").key("a b.txt"), RequestBody.fromString("one")).versionId();
            String v2 = client.putObject(b -> b.bucket("smoke-bucket").key("a b.txt"), RequestBody.fromString("two")).versionId();
            String marker = client.deleteObject(b -> b.bucket("smoke-bucket").key("a b.txt")).versionId();
            ListObjectVersionsResponse versions = client.listObjectVersions(b -> b.bucket("smoke-bucket"));
            String listed = versions.versions().stream().map(v -> v.key() + "@" + v.versionId() + " " + v.size()
                    + " bytes " + v.lastModified()).toList().toString();
            assertThat(v1).isNotEqualTo(v2);
            // Exactly two: a PUT stored twice (a retried upload whose trailer the server had not read) shows here.
            assertThat(versions.versions()).as(listed).extracting(v -> v.versionId()).containsExactlyInAnyOrder(v1, v2);
            assertThat(versions.deleteMarkers()).extracting(m -> m.versionId()).containsExactly(marker);
            assertThat(client.getObjectAsBytes(b -> b.bucket("smoke-bucket").key("a b.txt").versionId(v1)).asUtf8String())
                    .isEqualTo("one");
        }
    }

    @Test
    void sqsDeliversAndRedrivesToItsDlq(EmbeddedSqs sqs) {
        String url = sqs.createQueueWithDlq("smoke", 1, 1);
        try (SqsClient client = sqs.client()) {
            client.sendMessage(b -> b.queueUrl(url).messageBody("hello"));
            List<Message> messages = client.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(2)).messages();
            assertThat(messages).extracting(Message::body).containsExactly("hello");
            client.deleteMessage(b -> b.queueUrl(url).receiptHandle(messages.get(0).receiptHandle()));
            assertThat(client.getQueueAttributes(b -> b.queueUrl(url).attributeNamesWithStrings("All")).attributes())
                    .containsKey(software.amazon.awssdk.services.sqs.model.QueueAttributeName.REDRIVE_POLICY);
        }
    }
}
