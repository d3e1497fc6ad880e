package dev.filetrail.events.s3;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * The JSON envelope SNS puts around a message delivered to SQS without raw message delivery. Only the fields the
 * bridge uses are kept; the signature is not verified because the queue policy, not the body, admits senders. Read
 * by {@link S3NotificationStreamingParser#scan} on the fast path, by {@link #from} from a tree otherwise.
 */
public record SnsEnvelope(String type, String messageId, String topicArn, String subject, String message,
                          String timestamp) {
    public static final String NOTIFICATION = "Notification";

    /**
     * The envelope, if {@code body} is one: an object with string {@code Type}, {@code MessageId} and
     * {@code Message}. A raw-delivered S3 notification has none of these, so the two never mix.
     */
    public static Optional<SnsEnvelope> from(JsonNode body) {
        if (!body.isObject() || !body.path("Type").isTextual() || !body.path("MessageId").isTextual()
                || !body.has("Message")) {
            return Optional.empty();
        }
        return Optional.of(new SnsEnvelope(
                body.get("Type").asText(),
                body.get("MessageId").asText(),
                text(body, "TopicArn"),
                text(body, "Subject"),
                body.get("Message").isTextual() ? body.get("Message").asText() : null,
                text(body, "Timestamp")));
    }

    public boolean isNotification() {
        return NOTIFICATION.equals(type);
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
