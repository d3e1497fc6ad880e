package dev.filetrail.bridge.sqs;

import dev.filetrail.bridge.BridgeMetrics;
import dev.filetrail.bridge.InboundMessage;
import dev.filetrail.bridge.MessageTranslator;
import dev.filetrail.bridge.Translation;
import dev.filetrail.bridge.kafka.BridgeProducer;
import dev.filetrail.bridge.kafka.OutboundRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
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
 * One long-polling loop, pipelined: it receives the next batch while earlier batches still await their Kafka
 * acknowledgements (at most {@link Settings#batchesInFlight()} of them), and deletes a message only once Kafka
 * acknowledged every record of it. A message whose records failed is left on the queue (and released after a
 * back-off), so an outage delays events and never loses them. Every SQS call is made by the poller's own thread,
 * so a poller never has more than one SQS request open.
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
    private final Readiness readiness;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    // Added and removed by the poller thread only; read by releaseInFlight() from the closing thread.
    private final Deque<Batch> inFlight = new ConcurrentLinkedDeque<>();
    private volatile boolean stopping;

    /**
     * The poller's knobs, taken from the bridge configuration. {@code batchesInFlight}: enough to keep receiving
     * through the producer's linger and the acknowledgement round trip, few enough to bound the records held in
     * memory and the messages one poller keeps invisible.
     */
    public record Settings(String queueUrl, int batchSize, int waitTimeSeconds, int visibilityTimeoutSeconds,
                           int deliveryTimeoutMs, long backoffMaxMs, int batchesInFlight) {
        public Settings {
            if (batchesInFlight < 1) {
                throw new IllegalArgumentException("batchesInFlight must be at least 1, was " + batchesInFlight);
            }
        }
    }

    public QueuePoller(String name, SqsClient sqs, Settings settings, MessageTranslator translator,
                       BridgeProducer producer, VisibilityExtender visibility, BridgeMetrics metrics,
                       AfterProduceHook afterProduce, Clock clock, Readiness readiness) {
        this.name = name;
        this.sqs = sqs;
        this.settings = settings;
        this.translator = translator;
        this.producer = producer;
        this.visibility = visibility;
        this.metrics = metrics;
        this.afterProduce = afterProduce;
        this.clock = clock;
        this.readiness = readiness;
        this.backoff = new Backoff(Math.min(200, settings.backoffMaxMs()), settings.backoffMaxMs());
    }

    @Override
    public void run() {
        log.info("poller started poller={} queue={} batchesInFlight={}", name, settings.queueUrl(),
                settings.batchesInFlight());
        while (!stopping) {
            try {
                step();
            } catch (RuntimeException e) {
                long delay = backoff.next();
                readiness.failed(e.toString(), Duration.ofMillis(delay));
                log.warn("poll failed poller={} queue={} retryInMs={} error={}", name, settings.queueUrl(), delay,
                        e.toString());
                pause(delay);
            }
        }
        finishInFlight();
        log.info("poller stopped poller={}", name);
    }

    /** Asks the loop to end once its batches in flight are settled; a batch received from now on is released. */
    public void stop() {
        stopping = true;
        stopSignal.countDown();
    }

    /** Hands the messages of unfinished batches back to the queue (used when shutdown runs out of time). */
    public void releaseInFlight() {
        for (Batch batch : inFlight) {
            visibility.setVisibility(batch.messages(), 0);
            metrics.released(batch.messages().size());
            log.info("batch released poller={} messages={}", name, batch.messages().size());
        }
    }

    /**
     * One turn of the pipeline: settle the batches Kafka has answered for; then either wait for the oldest (when
     * the pipeline is full, or the queue had nothing more) or receive and send one more batch.
     */
    private void step() {
        settleAnswered();
        if (inFlight.size() >= settings.batchesInFlight()) {
            settleOldest();
            return;
        }
        // With batches pending, a receive must not long-poll: their deletes would wait for it.
        int received = receiveAndSend(inFlight.isEmpty() ? settings.waitTimeSeconds() : 0);
        if (received == 0 && !inFlight.isEmpty()) {
            settleOldest();
        } else if (received == 0) {
            readiness.idle();
        }
    }

    private void settleOldest() {
        Batch oldest = inFlight.peekFirst();
        if (awaitAnswer(oldest)) {
            settle(oldest);
        }
    }

    private int receiveAndSend(int waitSeconds) {
        List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(settings.queueUrl())
                .maxNumberOfMessages(settings.batchSize())
                .waitTimeSeconds(waitSeconds)
                .visibilityTimeout(settings.visibilityTimeoutSeconds())
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
        if (messages.isEmpty()) {
            return 0;
        }
        metrics.received(messages.size());
        if (stopping) {
            visibility.setVisibility(messages, 0);
            metrics.released(messages.size());
            return messages.size();
        }
        long started = System.nanoTime();
        VisibilityExtender.Heartbeat heartbeat = visibility.keepInvisible(messages);
        Batch batch;
        try {
            batch = send(messages, started, heartbeat);
        } catch (RuntimeException e) {
            heartbeat.close();
            throw e;
        }
        inFlight.addLast(batch);
        return messages.size();
    }

    private Batch send(List<Message> messages, long started, VisibilityExtender.Heartbeat heartbeat) {
        Instant receivedAt = clock.instant();
        List<Pending> pending = new ArrayList<>(messages.size());
        List<CompletableFuture<RecordMetadata>> all = new ArrayList<>(messages.size());
        for (Message message : messages) {
            Translation translation = translator.translate(new InboundMessage(message.messageId(), message.body(),
                    receiveCount(message), receivedAt));
            List<CompletableFuture<RecordMetadata>> sends = new ArrayList<>(translation.records().size());
            for (OutboundRecord record : translation.records()) {
                sends.add(producer.send(record));
            }
            all.addAll(sends);
            pending.add(new Pending(message, translation, sends));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2L * settings.deliveryTimeoutMs() + 5_000);
        return new Batch(messages, pending, CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)),
                started, deadline, heartbeat);
    }

    /** Settles, without waiting, every batch whose records all have an answer (or whose time is up). */
    private void settleAnswered() {
        for (Batch batch : inFlight) {
            if (batch.acks().isDone() || System.nanoTime() - batch.deadlineNanos() >= 0) {
                settle(batch);
            }
        }
    }

    /**
     * Waits until this batch's records are all answered or its time is up; false when interrupted (shutdown ran
     * out of time and released the batch), and then the batch must be left as it is.
     */
    private boolean awaitAnswer(Batch batch) {
        try {
            batch.acks().get(Math.max(0, batch.deadlineNanos() - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // Settled per message: the failed and the unanswered ones stay on the queue.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
            return false;
        }
        return true;
    }

    /** Once no more batches are taken: settle what is in flight, unless shutdown ran out of time (interrupt). */
    private void finishInFlight() {
        while (!inFlight.isEmpty() && !Thread.currentThread().isInterrupted()) {
            Batch batch = inFlight.peekFirst();
            if (!awaitAnswer(batch)) {
                break;
            }
            try {
                settle(batch);
            } catch (RuntimeException e) {
                log.warn("settling batch failed poller={} messages={} error={}", name, batch.messages().size(),
                        e.toString());
            }
        }
        // Whatever is left was released to the queue by releaseInFlight(); just stop extending it.
        inFlight.forEach(b -> b.heartbeat().close());
        inFlight.clear();
    }

    /** Deletes the messages Kafka acknowledged in full; leaves the others to reappear after a back-off. */
    private void settle(Batch batch) {
        try {
            List<Message> done = new ArrayList<>(batch.pending().size());
            List<Message> failed = new ArrayList<>();
            String lastError = null;
            for (Pending p : batch.pending()) {
                String error = outcome(p.sends());
                if (error == null) {
                    done.add(p.message());
                    recordSuccess(p);
                } else {
                    failed.add(p.message());
                    lastError = error;
                    for (OutboundRecord record : p.translation().records()) {
                        log.warn("produce failed sqsMessageId={} {} error={}", p.message().messageId(),
                                record.describe(), error);
                    }
                }
            }

            if (!done.isEmpty()) {
                afterProduce.afterProduce(done.stream().map(Message::messageId).toList());
                delete(done);
            }
            if (failed.isEmpty()) {
                backoff.reset();
                readiness.succeeded();
                return;
            }
            metrics.failed(failed.size());
            long delay = backoff.next();
            // Released after the back-off rather than at once, so a dead broker is not hammered by the queue.
            int releaseSeconds = (int) Math.min(settings.visibilityTimeoutSeconds(), Math.max(1, (delay + 999) / 1000));
            // A second on top: an empty receive just as they come back must not count as their being gone.
            readiness.failed(lastError, Duration.ofSeconds(releaseSeconds + 1L));
            visibility.setVisibility(failed, releaseSeconds);
            log.warn("batch not acknowledged by kafka poller={} failedMessages={} deleted={} retryInMs={} error={}",
                    name, failed.size(), done.size(), delay, lastError);
            pause(delay);
        } finally {
            batch.heartbeat().close();
            inFlight.remove(batch);
            metrics.batchLatency().record(System.nanoTime() - batch.startedNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Null when every record of the message was acknowledged, else why not. */
    private static String outcome(List<CompletableFuture<RecordMetadata>> sends) {
        for (CompletableFuture<RecordMetadata> send : sends) {
            if (!send.isDone()) {
                return "no acknowledgement within the delivery timeout";
            }
            if (send.isCompletedExceptionally()) {
                try {
                    send.join();
                } catch (RuntimeException e) {
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    return cause.toString();
                }
            }
        }
        return null;
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

    /** One received batch awaiting its acknowledgements. */
    private record Batch(List<Message> messages, List<Pending> pending, CompletableFuture<Void> acks,
                         long startedNanos, long deadlineNanos, VisibilityExtender.Heartbeat heartbeat) {
    }
}
