package dev.filetrail.bridge.sqs;

import dev.filetrail.bridge.BridgeMetrics;
import dev.filetrail.bridge.InboundMessage;
import dev.filetrail.bridge.MessageTranslator;
import dev.filetrail.bridge.Translation;
import dev.filetrail.bridge.kafka.BridgeProducer;
import dev.filetrail.bridge.kafka.OutboundRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * One long-polling loop: receive a batch, produce every record it yields, and delete a message only once Kafka
 * acknowledged every record of it. A message whose records failed is left on the queue (and released after a
 * back-off), so an outage delays events and never loses them.
 */
public final class QueuePoller implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(QueuePoller.class);

    private final String name;
    private final SqsClient sqs;
    private final Settings settings;
    private final MessageTranslator translator;
    private final BridgeProducer producer;
    private final VisibilityExtender visibility;
    private final BridgeMetrics metrics;
    private final AfterProduceHook afterProduce;
    private final Clock clock;
    private final Backoff backoff;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile List<Message> inFlight = List.of();

    /** The poller's knobs, taken from the bridge configuration. */
    public record Settings(String queueUrl, int batchSize, int waitTimeSeconds, int visibilityTimeoutSeconds,
                           int deliveryTimeoutMs, long backoffMaxMs) {
    }

    public QueuePoller(String name, SqsClient sqs, Settings settings, MessageTranslator translator,
                       BridgeProducer producer, VisibilityExtender visibility, BridgeMetrics metrics,
                       AfterProduceHook afterProduce, Clock clock) {
        this.name = name;
        this.sqs = sqs;
        this.settings = settings;
        this.translator = translator;
        this.producer = producer;
        this.visibility = visibility;
        this.metrics = metrics;
        this.afterProduce = afterProduce;
        this.clock = clock;
        this.backoff = new Backoff(Math.min(200, settings.backoffMaxMs()), settings.backoffMaxMs());
    }

    @Override
    public void run() {
        log.info("poller started poller={} queue={}", name, settings.queueUrl());
        while (!stopping) {
            try {
                pollOnce();
            } catch (RuntimeException e) {
                long delay = backoff.next();
                log.warn("poll failed poller={} queue={} retryInMs={} error={}", name, settings.queueUrl(), delay,
                        e.toString());
                pause(delay);
            }
        }
        log.info("poller stopped poller={}", name);
    }

    /** Asks the loop to end after its current batch; a batch received from now on is released unprocessed. */
    public void stop() {
        stopping = true;
        stopSignal.countDown();
    }

    /** Hands the messages of an unfinished batch back to the queue (used when shutdown runs out of time). */
    public void releaseInFlight() {
        List<Message> batch = inFlight;
        if (!batch.isEmpty()) {
            visibility.setVisibility(batch, 0);
            metrics.released(batch.size());
            log.info("batch released poller={} messages={}", name, batch.size());
        }
    }

    /** Receives and handles one batch; returns how many messages were received. */
    public int pollOnce() {
        List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(settings.queueUrl())
                .maxNumberOfMessages(settings.batchSize())
                .waitTimeSeconds(settings.waitTimeSeconds())
                .visibilityTimeout(settings.visibilityTimeoutSeconds())
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
        if (batch.isEmpty()) {
            return 0;
        }
        metrics.received(batch.size());
        if (stopping) {
            visibility.setVisibility(batch, 0);
            metrics.released(batch.size());
            return batch.size();
        }
        long started = System.nanoTime();
        inFlight = batch;
        try (VisibilityExtender.Heartbeat ignored = visibility.keepInvisible(batch)) {
            handle(batch);
        } finally {
            inFlight = List.of();
            metrics.batchLatency().record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
        return batch.size();
    }

    private void handle(List<Message> batch) {
        Instant receivedAt = clock.instant();
        List<Pending> pending = new ArrayList<>(batch.size());
        for (Message message : batch) {
            Translation translation = translator.translate(new InboundMessage(message.messageId(), message.body(),
                    receiveCount(message), receivedAt));
            List<CompletableFuture<RecordMetadata>> sends = new ArrayList<>(translation.records().size());
            for (OutboundRecord record : translation.records()) {
                sends.add(producer.send(record));
            }
            pending.add(new Pending(message, translation, sends));
        }

        List<Message> done = new ArrayList<>(batch.size());
        List<Message> failed = new ArrayList<>();
        String lastError = null;
        for (Pending p : pending) {
            String error = await(p.sends());
            if (error == null) {
                done.add(p.message());
                recordSuccess(p);
            } else {
                failed.add(p.message());
                lastError = error;
                for (OutboundRecord record : p.translation().records()) {
                    log.warn("produce failed sqsMessageId={} {} error={}", p.message().messageId(), record.describe(),
                            error);
                }
            }
        }

        if (!done.isEmpty()) {
            afterProduce.afterProduce(done.stream().map(Message::messageId).toList());
            delete(done);
        }
        if (failed.isEmpty()) {
            backoff.reset();
            return;
        }
        metrics.failed(failed.size());
        long delay = backoff.next();
        // Released after the back-off rather than at once, so a dead broker is not hammered by the queue.
        int releaseSeconds = (int) Math.min(settings.visibilityTimeoutSeconds(), Math.max(1, (delay + 999) / 1000));
        visibility.setVisibility(failed, releaseSeconds);
        log.warn("batch not acknowledged by kafka poller={} failedMessages={} deleted={} retryInMs={} error={}",
                name, failed.size(), done.size(), delay, lastError);
        pause(delay);
    }

    private void recordSuccess(Pending p) {
        if (p.translation() instanceof Translation.Skip skip) {
            metrics.skipped();
            log.info("message skipped sqsMessageId={} reason={}", p.message().messageId(), skip.reason());
        } else if (p.translation() instanceof Translation.Reject reject) {
            metrics.deadLettered();
            log.warn("message dead-lettered sqsMessageId={} deadLetter={} reason={}", p.message().messageId(),
                    reject.deadLetter().id(), reject.deadLetter().reason());
        } else {
            for (OutboundRecord record : p.translation().records()) {
                metrics.produced(record.topic());
                if (log.isDebugEnabled()) {
                    log.debug("event produced sqsMessageId={} topic={} {}", p.message().messageId(),
                            record.topic(), record.describe());
                }
            }
        }
    }

    private String await(List<CompletableFuture<RecordMetadata>> sends) {
        try {
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
                    .get(2L * settings.deliveryTimeoutMs() + 5_000, TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause() == null ? e.toString() : e.getCause().toString();
        } catch (TimeoutException e) {
            return "no acknowledgement within the delivery timeout";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private void delete(List<Message> messages) {
        for (int from = 0; from < messages.size(); from += 10) {
            List<Message> chunk = messages.subList(from, Math.min(messages.size(), from + 10));
            List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                entries.add(DeleteMessageBatchRequestEntry.builder().id(String.valueOf(i))
                        .receiptHandle(chunk.get(i).receiptHandle()).build());
            }
            try {
                var response = sqs.deleteMessageBatch(b -> b.queueUrl(settings.queueUrl()).entries(entries));
                metrics.deleted(response.successful().size());
                // An undeleted message comes back and is produced again with the same eventIds: a duplicate
                // readers drop, never a loss.
                response.failed().forEach(f -> log.warn("delete failed sqsMessageId={} code={} message={}",
                        chunk.get(Integer.parseInt(f.id())).messageId(), f.code(), f.message()));
            } catch (RuntimeException e) {
                log.warn("delete failed queue={} messages={} error={}", settings.queueUrl(), chunk.size(), e.toString());
            }
        }
    }

    private void pause(long millis) {
        try {
            stopSignal.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
    }

    private static int receiveCount(Message message) {
        String count = message.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
        try {
            return count == null ? 1 : Integer.parseInt(count);
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private record Pending(Message message, Translation translation, List<CompletableFuture<RecordMetadata>> sends) {
    }
}
