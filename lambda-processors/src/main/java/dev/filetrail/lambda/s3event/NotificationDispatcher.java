package dev.filetrail.lambda.s3event;

import com.amazonaws.services.lambda.runtime.events.SNSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.lambda.results.ResultPublisher;
import dev.filetrail.lambda.source.SourceVersion;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link VersionProcessor} over every created version in an SNS or SQS event and publishes each result.
 * Permanent problems (bad images, malformed notifications) are recorded or logged and never retried; transient
 * ones (S3 or SNS unreachable) make the invocation fail (SNS) or the message fail (SQS) so AWS retries it, and
 * because processing is idempotent the retry redoes nothing that already succeeded.
 */
public final class NotificationDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(NotificationDispatcher.class);

    private final String processorName;
    private final VersionProcessor processor;
    private final ResultPublisher publisher;
    private final VersionProcessor tagging;

    public NotificationDispatcher(String processorName, VersionProcessor processor, ResultPublisher publisher) {
        this(processorName, processor, publisher, null);
    }

    /** A dispatcher that also answers tagging records, with {@code tagging} (null: it skips them). */
    public NotificationDispatcher(String processorName, VersionProcessor processor, ResultPublisher publisher,
                                  VersionProcessor tagging) {
        this.processorName = processorName;
        this.processor = processor;
        this.publisher = publisher;
        this.tagging = tagging;
    }

    /** Handles an SNS-triggered invocation; throws when any version must be retried. */
    public void handle(SNSEvent event) {
        List<RuntimeException> retryable = new ArrayList<>();
        List<SNSEvent.SNSRecord> records = event == null || event.getRecords() == null ? List.of() : event.getRecords();
        for (SNSEvent.SNSRecord record : records) {
            SNSEvent.SNS sns = record.getSNS();
            String messageId = sns == null ? null : sns.getMessageId();
            try {
                processMessage(sns == null ? null : sns.getMessage(), messageId);
            } catch (MalformedNotificationException e) {
                // Retrying cannot fix a message that is not an S3 notification; Lambda would only loop on it.
                LOG.error("{}: dropping SNS message {} that is not an S3 notification: {}", processorName, messageId,
                        e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("{}: SNS message {} failed and will be retried: {}", processorName, messageId, e.toString());
                retryable.add(e);
            }
        }
        if (!retryable.isEmpty()) {
            RuntimeException failure = new RetryableFailureException(processorName + ": " + retryable.size()
                    + " of " + records.size() + " SNS messages failed", retryable.get(0));
            retryable.stream().skip(1).forEach(failure::addSuppressed);
            throw failure;
        }
    }

    /**
     * Handles an SQS batch whose bodies are SNS envelopes (or raw S3 JSON); failed messages are reported
     * individually, so only they return to the queue (and to its DLQ after maxReceiveCount).
     */
    public SQSBatchResponse handle(SQSEvent event) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        List<SQSEvent.SQSMessage> messages = event == null || event.getRecords() == null ? List.of() : event.getRecords();
        for (SQSEvent.SQSMessage message : messages) {
            try {
                processMessage(SnsEnvelopes.s3Message(message.getBody()), message.getMessageId());
            } catch (MalformedNotificationException e) {
                // Reported as failed, so after maxReceiveCount it rests in the DLQ for a person to look at.
                LOG.error("{}: SQS message {} is not an S3 notification: {}", processorName, message.getMessageId(),
                        e.getMessage());
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
            } catch (RuntimeException e) {
                LOG.warn("{}: SQS message {} failed and will be retried: {}", processorName, message.getMessageId(),
                        e.toString());
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
            }
        }
        return new SQSBatchResponse(failures);
    }

    private void processMessage(String s3Json, String messageId) {
        if (s3Json == null) {
            throw new MalformedNotificationException("message has no body");
        }
        List<SourceVersion> versions = tagging == null ? S3Notifications.createdVersions(s3Json)
                : S3Notifications.createdAndTaggedVersions(s3Json);
        if (versions.isEmpty()) {
            LOG.debug("{}: message {} names no created version", processorName, messageId);
        }
        for (SourceVersion version : versions) {
            long started = System.nanoTime();
            ProcessingResult result = tagging != null && S3Notifications.isTagging(version)
                    ? tagging.process(version) : processor.process(version);
            publisher.publish(result);
            LOG.info("{}: bucket={} key={} versionId={} status={}{} in {} ms", processorName, result.bucket(),
                    result.key(), result.versionId(), result.status(),
                    result.failureReason() == null ? "" : " reason=\"" + result.failureReason() + '"',
                    (System.nanoTime() - started) / 1_000_000);
        }
    }

    /** Some versions of an SNS invocation failed transiently; throwing it makes Lambda retry the event. */
    public static final class RetryableFailureException extends RuntimeException {
        public RetryableFailureException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
