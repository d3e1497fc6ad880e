package dev.filetrail.bridge.dlq;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.bridge.AwsClients;
import dev.filetrail.bridge.BridgeConfig;
import dev.filetrail.events.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The ingest queue's SQS dead-letter queue ({@code filetrail-ingest-dlq}): where SQS moves a message received
 * {@code maxReceiveCount} times without being deleted, e.g. through a Kafka outage longer than that many back-offs.
 * Its URL comes from the ingest queue's redrive policy. Lists and shows messages without taking them (each walk
 * hides them for a moment and hands them back), and redrives them: sent to the ingest queue with their body and
 * attributes, then deleted here. A crash in between leaves a copy in both, which readers drop as a duplicate.
 */
public final class SqsDeadLetters implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SqsDeadLetters.class);
    private static final String PREFIX = "sqs:";
    /** Long enough for one walk to see each message once; they are handed back at its end. */
    private static final int WALK_VISIBILITY_SECONDS = 60;

    /** One message on the dead-letter queue; {@code id} is {@code sqs:<messageId>}. */
    public record SqsLetter(String id, String messageId, String body, int receiveCount, Instant sentAt) {
    }

    /** Messages on the dead-letter queue and their time span; {@code dlqUrl} null when the queue has none. */
    public record Listing(String dlqUrl, long count, Instant oldest, Instant newest) {
    }

    /** What a redrive did (or would do, dry-run). */
    public record RedriveSummary(String dlqUrl, String queueUrl, boolean dryRun, long redriven) {
    }

    private final SqsClient sqs;
    private final String queueUrl;
    private final boolean ownsSqs;

    /** With an SQS client the caller owns; {@code queueUrl} is the ingest queue (whose DLQ this reads). */
    public SqsDeadLetters(SqsClient sqs, String queueUrl) {
        this(sqs, queueUrl, false);
    }

    private SqsDeadLetters(SqsClient sqs, String queueUrl, boolean ownsSqs) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.ownsSqs = ownsSqs;
    }

    public static SqsDeadLetters fromConfig(BridgeConfig config) {
        return new SqsDeadLetters(AwsClients.sqs(config, AwsClients.OPS), config.queueUrl(), true);
    }

    /** The dead-letter queue named by the ingest queue's redrive policy, or empty when it has none. */
    public Optional<String> dlqUrl() {
        String policy = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.REDRIVE_POLICY))
                .attributes().get(QueueAttributeName.REDRIVE_POLICY);
        if (policy == null || policy.isBlank()) {
            return Optional.empty();
        }
        String arn = Json.read(policy, JsonNode.class).path("deadLetterTargetArn").asText("");
        String[] parts = arn.split(":");
        if (parts.length < 6) {
            throw new IllegalStateException("redrive policy of " + queueUrl + " names no queue ARN: " + policy);
        }
        return Optional.of(sqs.getQueueUrl(b -> b.queueName(parts[5]).queueOwnerAWSAccountId(parts[4])).queueUrl());
    }

    /** Every message on the dead-letter queue, each once, handed back to the queue afterwards. */
    public Listing list(Consumer<SqsLetter> each) {
        Optional<String> dlq = dlqUrl();
        if (dlq.isEmpty()) {
            return new Listing(null, 0, null, null);
        }
        List<SqsLetter> letters = walk(dlq.get());
        Instant oldest = null;
        Instant newest = null;
        for (SqsLetter letter : letters) {
            if (letter.sentAt() != null) {
                oldest = oldest == null || letter.sentAt().isBefore(oldest) ? letter.sentAt() : oldest;
                newest = newest == null || letter.sentAt().isAfter(newest) ? letter.sentAt() : newest;
            }
            each.accept(letter);
        }
        return new Listing(dlq.get(), letters.size(), oldest, newest);
    }

    /** The message with this id ({@code sqs:<messageId>}), left on the queue. */
    public Optional<SqsLetter> show(String id) {
        if (id == null || !id.startsWith(PREFIX)) {
            return Optional.empty();
        }
        Optional<String> dlq = dlqUrl();
        return dlq.isEmpty() ? Optional.empty()
                : walk(dlq.get()).stream().filter(l -> l.id().equals(id)).findFirst();
    }

    /**
     * Sends every message on the dead-letter queue back to the ingest queue (body and message attributes as they
     * are) and deletes it here once sent. A dry run lists what it would send and leaves everything in place.
     */
    public RedriveSummary redrive(boolean dryRun, Consumer<SqsLetter> each) {
        Optional<String> dlq = dlqUrl();
        if (dlq.isEmpty()) {
            return new RedriveSummary(null, queueUrl, dryRun, 0);
        }
        if (dryRun) {
            List<SqsLetter> letters = walk(dlq.get());
            letters.forEach(each);
            return new RedriveSummary(dlq.get(), queueUrl, true, letters.size());
        }
        long redriven = 0;
        while (true) {
            List<Message> batch = receive(dlq.get());
            if (batch.isEmpty()) {
                return new RedriveSummary(dlq.get(), queueUrl, false, redriven);
            }
            for (Message message : batch) {
                sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(message.body())
                        .messageAttributes(message.messageAttributes()));
                sqs.deleteMessage(b -> b.queueUrl(dlq.get()).receiptHandle(message.receiptHandle()));
                redriven++;
                SqsLetter letter = letter(message);
                log.info("sqs dead letter redriven sqsMessageId={} from={} to={}", message.messageId(), dlq.get(),
                        queueUrl);
                each.accept(letter);
            }
        }
    }

    /** Receives until no new message comes, then hands every one back (visibility 0). */
    private List<SqsLetter> walk(String dlq) {
        Map<String, Message> seen = new LinkedHashMap<>();
        try {
            while (true) {
                List<Message> batch = receive(dlq);
                int before = seen.size();
                batch.forEach(m -> seen.put(m.messageId(), m));
                if (seen.size() == before) {
                    break;
                }
            }
        } finally {
            handBack(dlq, new ArrayList<>(seen.values()));
        }
        return seen.values().stream().map(SqsDeadLetters::letter).toList();
    }

    private List<Message> receive(String dlq) {
        return sqs.receiveMessage(b -> b.queueUrl(dlq).maxNumberOfMessages(10).waitTimeSeconds(1)
                .visibilityTimeout(WALK_VISIBILITY_SECONDS).messageAttributeNames("All")
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT,
                        MessageSystemAttributeName.SENT_TIMESTAMP)).messages();
    }

    private void handBack(String dlq, List<Message> messages) {
        for (int from = 0; from < messages.size(); from += 10) {
            List<Message> chunk = messages.subList(from, Math.min(messages.size(), from + 10));
            List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(String.valueOf(i))
                        .receiptHandle(chunk.get(i).receiptHandle()).visibilityTimeout(0).build());
            }
            try {
                sqs.changeMessageVisibilityBatch(b -> b.queueUrl(dlq).entries(entries));
            } catch (RuntimeException e) {
                // They come back on their own once the walk's visibility timeout passes.
                log.warn("sqs dead letters not handed back at once queue={} messages={} error={}", dlq, chunk.size(),
                        e.toString());
            }
        }
    }

    private static SqsLetter letter(Message message) {
        Map<MessageSystemAttributeName, String> attributes = message.attributes();
        String count = attributes.get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
        String sent = attributes.get(MessageSystemAttributeName.SENT_TIMESTAMP);
        return new SqsLetter(PREFIX + message.messageId(), message.messageId(), message.body(),
                count == null ? 0 : Integer.parseInt(count),
                sent == null ? null : Instant.ofEpochMilli(Long.parseLong(sent)));
    }

    @Override
    public void close() {
        if (ownsSqs) {
            sqs.close();
        }
    }
}
