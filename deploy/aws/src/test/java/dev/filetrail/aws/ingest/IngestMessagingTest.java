package dev.filetrail.aws.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.aws.Synth;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class IngestMessagingTest {
    private static final Template DEFAULTS = Synth.defaults().main();
    private static final Template TUNED = Synth.tuned().main();

    @Test
    void ingestQueueMatchesTheBridgeAndRedrivesToTheDlq() {
        DEFAULTS.hasResourceProperties("AWS::SQS::Queue", Map.of(
                "QueueName", "filetrail-ingest",
                "VisibilityTimeout", 120,
                "ReceiveMessageWaitTimeSeconds", 20,
                "SqsManagedSseEnabled", true,
                "RedrivePolicy", Map.of(
                        "deadLetterTargetArn", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("IngestDeadLetters.*"), "Arn")),
                        // Enough receives to ride out a Kafka outage of most of an hour at the bridge's back-off
                        // (README): an outage must not move S3 events into the DLQ.
                        "maxReceiveCount", 100)));
        DEFAULTS.hasResourceProperties("AWS::SQS::Queue", Map.of(
                "QueueName", "filetrail-ingest-dlq", "SqsManagedSseEnabled", true));
    }

    @Test
    void visibilityTimeoutAndMaxReceivesAreParameters() {
        TUNED.hasResourceProperties("AWS::SQS::Queue", Map.of(
                "QueueName", "filetrail-ingest",
                "VisibilityTimeout", 300,
                "RedrivePolicy", Match.objectLike(Map.of("maxReceiveCount", 9))));
        // And the bridge is told the same number.
        TUNED.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of("ContainerDefinitions", List.of(Match.objectLike(Map.of(
                "Name", "bridge",
                "Environment", Match.arrayWith(List.of(
                        Map.of("Name", "BRIDGE_VISIBILITY_TIMEOUT_SECONDS", "Value", "300"))))))));
    }

    @Test
    void kmsOptionEncryptsQueuesAndTopicsWithTheStackKey() {
        Map<String, Object> key = Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("DataKey.*"), "Arn"));
        TUNED.hasResourceProperties("AWS::SQS::Queue", Map.of("QueueName", "filetrail-ingest", "KmsMasterKeyId", key));
        TUNED.hasResourceProperties("AWS::SQS::Queue", Map.of("QueueName", "filetrail-ingest-dlq", "KmsMasterKeyId", key));
        TUNED.hasResourceProperties("AWS::SNS::Topic", Map.of("TopicName", "filetrail-object-events", "KmsMasterKeyId", key));
    }

    @Test
    void dlqKeepsMessagesLongerThanTheQueue() {
        Map<String, Map<String, Object>> queues = Synth.resources(Synth.defaults().json(), "AWS::SQS::Queue");
        int queue = retention(queues, "filetrail-ingest");
        int dlq = retention(queues, "filetrail-ingest-dlq");
        assertThat(dlq).isGreaterThan(queue);
        assertThat(dlq).isEqualTo(14 * 24 * 3600);
    }

    private static int retention(Map<String, Map<String, Object>> queues, String name) {
        return queues.values().stream().map(Synth::properties).filter(p -> name.equals(p.get("QueueName")))
                .map(p -> ((Number) p.get("MessageRetentionPeriod")).intValue()).findFirst().orElseThrow();
    }

    @Test
    void bothTopicsDeliverEnvelopedMessagesToTheIngestQueue() {
        for (String topic : List.of("IngestObjectEvents", "IngestProcessingResults")) {
            DEFAULTS.hasResourceProperties("AWS::SNS::Subscription", Map.of(
                    "Protocol", "sqs",
                    "TopicArn", Map.of("Ref", Match.stringLikeRegexp(topic + ".*")),
                    "Endpoint", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("IngestQueue.*"), "Arn")),
                    // The bridge reads TopicArn and MessageId from the SNS envelope.
                    "RawMessageDelivery", false,
                    "RedrivePolicy", Map.of("deadLetterTargetArn",
                            Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("IngestDeadLetters.*"), "Arn")))));
        }
    }

    @Test
    void queuesAndTopicsRefuseRequestsWithoutTls() {
        DEFAULTS.allResourcesProperties("AWS::SQS::QueuePolicy", Map.of(
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Effect", "Deny",
                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))));
        DEFAULTS.allResourcesProperties("AWS::SNS::TopicPolicy", Map.of(
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Effect", "Deny",
                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))));
        assertThat(Synth.resources(Synth.defaults().json(), "AWS::SQS::QueuePolicy")).hasSize(3);
        assertThat(Synth.resources(Synth.defaults().json(), "AWS::SNS::TopicPolicy")).hasSize(3);
    }

    @Test
    void everyLambdaTimeoutFitsInTheQueueVisibilityTimeout() {
        for (Template template : List.of(DEFAULTS, TUNED)) {
            Map<String, Object> json = template.toJSON();
            int visibility = Synth.resources(json, "AWS::SQS::Queue").values().stream().map(Synth::properties)
                    .filter(p -> "filetrail-ingest".equals(p.get("QueueName")))
                    .map(p -> ((Number) p.get("VisibilityTimeout")).intValue()).findFirst().orElseThrow();
            assertThat(Synth.resources(json, "AWS::Lambda::Function").values()).map(Synth::properties)
                    .filteredOn(p -> "java21".equals(p.get("Runtime")))
                    .hasSize(2)
                    .allSatisfy(p -> assertThat(((Number) p.get("Timeout")).intValue()).isLessThanOrEqualTo(visibility));
        }
    }
}
