package dev.filetrail.events.deadletter;

import dev.filetrail.events.object.EventIds;
import java.time.Instant;

/**
 * A message the bridge could not turn into events, kept whole on {@code filetrail.ingest-dlq.v1} (keyed by
 * {@code id}) so it can be inspected and redriven once the bridge is fixed.
 *
 * @param id           SHA-256 of the SQS message id and the body: the same delivery always gets the same id
 * @param rawBody      the SQS body exactly as received
 * @param snsMessageId the SNS message id, when the body was an SNS envelope that could be read
 */
public record DeadLetter(String id, String reason, String rawBody, String sqsMessageId, String snsMessageId,
                         String queueUrl, int receiveCount, Instant receivedAt) {

    public static DeadLetter of(String reason, String rawBody, String sqsMessageId, String snsMessageId,
                                String queueUrl, int receiveCount, Instant receivedAt) {
        String id = EventIds.sha256Hex(sqsMessageId == null ? "" : sqsMessageId, rawBody == null ? "" : rawBody);
        return new DeadLetter(id, reason, rawBody, sqsMessageId, snsMessageId, queueUrl, receiveCount, receivedAt);
    }
}
