package dev.filetrail.bridge.dlq;

import dev.filetrail.events.deadletter.DeadLetter;
import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.bridge.InboundMessage;
import dev.filetrail.bridge.MessageTranslator;
import dev.filetrail.bridge.Translation;
import dev.filetrail.bridge.kafka.BridgeProducer;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.sqs.EmbeddedSqs;
import dev.filetrail.events.kafka.KafkaRole;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;

/** list / show / redrive against real Kafka and ElasticMQ; the redrive group remembers what it took. */
@ExtendWith(RealParts.class)
class DeadLettersTest {

    @Test
    void listShowAndRedriveOnlyNewLettersUnlessAll(KafkaCluster kafka, EmbeddedSqs sqs) throws Exception {
        String marker = "dlq-" + UUID.randomUUID();
        String queue = sqs.createQueueWithDlq(marker, 10, 30);
        MessageTranslator translator = new MessageTranslator(queue, Clock.systemUTC());
        try (BridgeProducer producer = BridgeProducer.connect(kafka.settings(KafkaRole.BRIDGE), 10_000, "dlq-test");
             SqsClient client = sqs.client();
             DeadLetters letters = new DeadLetters(kafka.settings(KafkaRole.OPS), client, queue, "filetrail-dlq-redrive-" + marker)) {
            DeadLetter first = park(producer, translator, "first " + marker);
            DeadLetter second = park(producer, translator, "{\"Records\":\"second " + marker + "\"}");

            List<DeadLetter> seen = new ArrayList<>();
            DeadLetterListing listing = letters.list(seen::add);
            assertThat(seen).filteredOn(l -> l.rawBody().contains(marker)).containsExactlyInAnyOrder(first, second);
            assertThat(listing.count()).isEqualTo(seen.size());
            assertThat(listing.byReason()).containsKey("SQS body is not JSON");

            assertThat(letters.show(second.id())).contains(second);
            assertThat(letters.show("no-such-id")).isEmpty();

            RedriveSummary initial = letters.redrive(false, l -> { });
            assertThat(initial.redriven()).isGreaterThanOrEqualTo(2);
            assertThat(initial.alreadyRedriven()).isZero();
            assertThat(drain(client, queue, marker)).containsExactlyInAnyOrder(first.rawBody(), second.rawBody());

            DeadLetter third = park(producer, translator, "third " + marker);
            RedriveSummary again = letters.redrive(false, l -> { });
            assertThat(again.alreadyRedriven()).isGreaterThanOrEqualTo(2);
            assertThat(drain(client, queue, marker)).containsExactly(third.rawBody());

            RedriveSummary all = letters.redrive(true, l -> { });
            assertThat(all.redriven()).isGreaterThanOrEqualTo(3);
            assertThat(drain(client, queue, marker))
                    .containsExactlyInAnyOrder(first.rawBody(), second.rawBody(), third.rawBody());
        }
    }

    private static DeadLetter park(BridgeProducer producer, MessageTranslator translator, String body) throws Exception {
        Translation.Reject reject = (Translation.Reject) translator.translate(
                new InboundMessage(UUID.randomUUID().toString(), body, 1, Instant.now()));
        producer.send(reject.record()).get();
        return reject.deadLetter();
    }

    /** Receives and deletes everything on the queue; returns the bodies of this test's letters. */
    private static List<String> drain(SqsClient client, String queue, String marker) {
        List<String> bodies = new ArrayList<>();
        while (true) {
            var messages = client.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(0)).messages();
            if (messages.isEmpty()) {
                return bodies;
            }
            messages.forEach(m -> {
                if (m.body().contains(marker)) {
                    bodies.add(m.body());
                }
                client.deleteMessage(b -> b.queueUrl(queue).receiptHandle(m.receiptHandle()));
            });
        }
    }
}
