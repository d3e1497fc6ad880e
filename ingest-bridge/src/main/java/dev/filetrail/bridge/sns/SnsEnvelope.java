package dev.filetrail.bridge.sns;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Optional;

/**
 * The JSON envelope SNS puts around a message delivered to SQS without raw message delivery. Only the fields the
 * bridge uses are kept; the signature is not verified because the queue policy, not the body, admits senders.
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

    /**
     * The envelope read in one streaming pass, without a tree, or {@code null} when {@code body} is not a plain
     * envelope (not JSON, no string {@code Type}/{@code MessageId}/{@code Message}, an S3 notification or
     * processing result delivered raw, trailing text…): then the caller reads the tree and asks {@link #from}.
     */
    public static SnsEnvelope scan(JsonFactory factory, String body) {
        if (body == null) {
            return null;
        }
        try (JsonParser p = factory.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String type = null;
            String messageId = null;
            String topicArn = null;
            String subject = null;
            String message = null;
            String timestamp = null;
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken value = p.nextToken();
                switch (name) {
                    case "Type" -> type = string(p, value);
                    case "MessageId" -> messageId = string(p, value);
                    case "Message" -> message = string(p, value);
                    case "TopicArn" -> topicArn = nullableString(p, value);
                    case "Subject" -> subject = nullableString(p, value);
                    case "Timestamp" -> timestamp = nullableString(p, value);
                    // A raw delivery: stop here rather than read the whole body twice.
                    case "Records", "schema", "Event" -> {
                        return null;
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null
                    || type == null || messageId == null || message == null) {
                return null;
            }
            return new SnsEnvelope(type, messageId, topicArn, subject, message, timestamp);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String string(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.VALUE_STRING) {
            throw new IllegalStateException("not a string");
        }
        return p.getText();
    }

    private static String nullableString(JsonParser p, JsonToken value) throws IOException {
        return value == JsonToken.VALUE_NULL ? null : string(p, value);
    }

    public boolean isNotification() {
        return NOTIFICATION.equals(type);
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
