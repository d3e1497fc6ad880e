package dev.filetrail.local.chaos;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Passes S3's notifications from the relay queue into the ingest queue as SNS delivered them, except that some are
 * delivered twice (a copy now, as SQS's at-least-once delivery does) and some are held back and delivered late,
 * after newer notifications of the same key (out of order).
 */
final class Relay implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    private record Held(String body, Instant due) {
    }

    private final SqsClient sqs;
    private final String from;
    private final String to;
    private final Random random;
    private final double duplicateShare;
    private final double lateShare;
    private final Duration maxDelay;
    private final List<Held> held = new ArrayList<>();
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong duplicated = new AtomicLong();
    private final AtomicLong delayed = new AtomicLong();
    private volatile boolean draining;
    private volatile boolean stopped;

    Relay(SqsClient sqs, String from, String to, long seed, double duplicateShare, double lateShare, Duration maxDelay) {
        this.sqs = sqs;
        this.from = from;
        this.to = to;
        this.random = new Random(seed);
        this.duplicateShare = duplicateShare;
        this.lateShare = lateShare;
        this.maxDelay = maxDelay;
    }

    @Override
    public void run() {
        while (!stopped) {
            try {
                List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(from).maxNumberOfMessages(10)
                        .waitTimeSeconds(1)).messages();
                for (Message message : messages) {
                    pass(message.body());
                    sqs.deleteMessage(b -> b.queueUrl(from).receiptHandle(message.receiptHandle()));
                }
                releaseDue();
            } catch (RuntimeException e) {
                log.warn("relay round failed; trying again", e);
            }
        }
    }

    private void pass(String body) {
        if (!draining && random.nextDouble() < lateShare) {
            long delayMs = 500 + (long) (random.nextDouble() * maxDelay.toMillis());
            synchronized (held) {
                held.add(new Held(body, Instant.now().plusMillis(delayMs)));
            }
            delayed.incrementAndGet();
            return;
        }
        send(body);
        if (!draining && random.nextDouble() < duplicateShare) {
            send(body);
            duplicated.incrementAndGet();
        }
    }

    private void releaseDue() {
        List<Held> due = new ArrayList<>();
        synchronized (held) {
            held.removeIf(h -> (draining || h.due().isBefore(Instant.now())) && due.add(h));
        }
        due.forEach(h -> send(h.body()));
    }

    private void send(String body) {
        sqs.sendMessage(b -> b.queueUrl(to).messageBody(body));
        forwarded.incrementAndGet();
    }

    /** From now on nothing is held back or doubled, and what is held is delivered at once. */
    void drain() {
        draining = true;
    }

    void stop() {
        stopped = true;
    }

    /** Nothing held and nothing in the relay queue, visible or in flight (a message is deleted once passed on). */
    boolean idle() {
        synchronized (held) {
            if (!held.isEmpty()) {
                return false;
            }
        }
        return depth(sqs, from) == 0;
    }

    long forwarded() {
        return forwarded.get();
    }

    long duplicated() {
        return duplicated.get();
    }

    long delayed() {
        return delayed.get();
    }

    /** Visible, in flight and delayed messages of the queue, as its attributes tell. */
    static long depth(SqsClient sqs, String queueUrl) {
        return sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
                .attributes().values().stream().mapToLong(Long::parseLong).sum();
    }
}
