package dev.filetrail.bridge;

import java.time.Instant;

/** One SQS message as the translator sees it: ids, body and delivery facts, nothing SDK-specific. */
public record InboundMessage(String sqsMessageId, String body, int receiveCount, Instant receivedAt) {
}
