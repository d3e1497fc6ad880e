package dev.filetrail.bridge.sqs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Keeps a batch invisible while it is being produced: every half visibility timeout it pushes the timeout out
 * again, so a slow batch (Kafka slow, not down) is not handed to a second poller meanwhile.
 */
public final class VisibilityExtender {
    private static final Logger log = LoggerFactory.getLogger(VisibilityExtender.class);

    private final SqsClient sqs;
    private final String queueUrl;
    private final int visibilityTimeoutSeconds;
    private final ScheduledExecutorService scheduler;

    public VisibilityExtender(SqsClient sqs, String queueUrl, int visibilityTimeoutSeconds,
                              ScheduledExecutorService scheduler) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.visibilityTimeoutSeconds = visibilityTimeoutSeconds;
        this.scheduler = scheduler;
    }

    /** A heartbeat for these messages; closing it stops the extensions. */
    public Heartbeat keepInvisible(List<Message> messages) {
        long periodMs = Math.max(500, visibilityTimeoutSeconds * 1000L / 2);
        ScheduledFuture<?> task = scheduler.scheduleAtFixedRate(() -> extend(messages, visibilityTimeoutSeconds),
                periodMs, periodMs, TimeUnit.MILLISECONDS);
        return () -> task.cancel(false);
    }

    /** Sets the visibility timeout of these messages; 0 hands them straight back to the queue. */
    public void setVisibility(List<Message> messages, int seconds) {
        extend(messages, seconds);
    }

    private void extend(List<Message> messages, int seconds) {
        for (int from = 0; from < messages.size(); from += 10) {
            List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
            List<Message> chunk = messages.subList(from, Math.min(messages.size(), from + 10));
            for (int i = 0; i < chunk.size(); i++) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(String.valueOf(i))
                        .receiptHandle(chunk.get(i).receiptHandle()).visibilityTimeout(seconds).build());
            }
            try {
                var response = sqs.changeMessageVisibilityBatch(b -> b.queueUrl(queueUrl).entries(entries));
                response.failed().forEach(f -> log.debug("visibility change failed id={} code={} message={}",
                        f.id(), f.code(), f.message()));
                if (seconds > 0) {
                    log.debug("visibility extended queue={} messages={} seconds={}", queueUrl, entries.size(), seconds);
                }
            } catch (RuntimeException e) {
                // The messages then simply reappear when their current timeout ends: a duplicate, never a loss.
                log.warn("visibility change failed queue={} messages={} seconds={} error={}", queueUrl,
                        entries.size(), seconds, e.toString());
            }
        }
    }

    /** A running visibility extension. */
    @FunctionalInterface
    public interface Heartbeat extends AutoCloseable {
        @Override
        void close();
    }
}
