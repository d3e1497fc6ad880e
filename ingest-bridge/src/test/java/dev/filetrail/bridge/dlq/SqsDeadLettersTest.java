package dev.filetrail.bridge.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.bridge.Queues;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.sqs.EmbeddedSqs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * Against ElasticMQ: messages SQS itself moved to the ingest queue's dead-letter queue (received too often, never
 * deleted) are listed and shown without being taken, and redriven to the ingest queue whole.
 */
@ExtendWith(RealParts.class)
class SqsDeadLettersTest {

    @Test
    void messagesSqsParkedAreListedShownAndRedrivenWhole(EmbeddedSqs sqs) throws Exception {
        String name = "sqs-dlq-" + UUID.randomUUID().toString().substring(0, 8);
        String queue = sqs.createQueueWithDlq(name, 1, 1);
        try (SqsClient client = sqs.client();
             SqsDeadLetters letters = new SqsDeadLetters(client, queue)) {
            List<String> bodies = List.of("{\"Records\":[\"first\"]}", "{\"Records\":[\"second\"]}");
            for (String body : bodies) {
                client.sendMessage(b -> b.queueUrl(queue).messageBody(body).messageAttributes(Map.of("origin",
                        MessageAttributeValue.builder().dataType("String").stringValue("sns").build())));
            }
            // Received once, never deleted: past maxReceiveCount 1, SQS moves them to the dead-letter queue.
            String dlq = letters.dlqUrl().orElseThrow();
            assertThat(dlq).endsWith(name + "-dlq");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (Queues.depth(client, dlq) < 2 && System.nanoTime() < deadline) {
                client.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(1));
            }

            List<SqsDeadLetters.SqsLetter> listed = new ArrayList<>();
            SqsDeadLetters.Listing listing = letters.list(listed::add);
            assertThat(listing.count()).isEqualTo(2);
            assertThat(listing.dlqUrl()).isEqualTo(dlq);
            assertThat(listed).extracting(SqsDeadLetters.SqsLetter::body).containsExactlyInAnyOrderElementsOf(bodies);
            assertThat(listed).allSatisfy(l -> assertThat(l.receiveCount()).isGreaterThanOrEqualTo(1));
            assertThat(letters.list(l -> { }).count()).as("listing takes nothing").isEqualTo(2);
            SqsDeadLetters.SqsLetter first = listed.get(0);
            assertThat(letters.show(first.id())).hasValueSatisfying(l -> assertThat(l.body()).isEqualTo(first.body()));
            assertThat(letters.show("sqs:no-such-message")).isEmpty();

            assertThat(letters.redrive(true, l -> { }).redriven()).isEqualTo(2);
            assertThat(letters.list(l -> { }).count()).as("a dry run moves nothing").isEqualTo(2);
            SqsDeadLetters.RedriveSummary redrive = letters.redrive(false, l -> { });
            assertThat(redrive.redriven()).isEqualTo(2);
            assertThat(redrive.queueUrl()).isEqualTo(queue);
            assertThat(letters.list(l -> { }).count()).isZero();

            List<String> back = new ArrayList<>();
            deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (back.size() < 2 && System.nanoTime() < deadline) {
                client.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(1)
                        .messageAttributeNames("All")).messages().forEach(m -> {
                            assertThat(m.messageAttributes().get("origin").stringValue()).isEqualTo("sns");
                            back.add(m.body());
                            client.deleteMessage(b -> b.queueUrl(queue).receiptHandle(m.receiptHandle()));
                        });
            }
            assertThat(back).containsExactlyInAnyOrderElementsOf(bodies);
        }
    }

    @Test
    void aQueueWithoutDeadLetterQueueHasNothingToList(EmbeddedSqs sqs) {
        try (SqsClient client = sqs.client()) {
            String queue = client.createQueue(b -> b.queueName("no-dlq-" + UUID.randomUUID().toString().substring(0, 8)))
                    .queueUrl();
            SqsDeadLetters letters = new SqsDeadLetters(client, queue);
            assertThat(letters.dlqUrl()).isEmpty();
            assertThat(letters.list(l -> { }).count()).isZero();
            assertThat(letters.redrive(false, l -> { }).redriven()).isZero();
        }
    }
}
