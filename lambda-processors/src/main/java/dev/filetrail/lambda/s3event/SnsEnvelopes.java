package dev.filetrail.lambda.s3event;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.events.Json;
import java.io.IOException;

/** Unwraps an SQS message body: an SNS envelope (non-raw delivery) or the S3 JSON itself (raw delivery). */
public final class SnsEnvelopes {
    private SnsEnvelopes() {
    }

    /** The S3 notification JSON carried by one SQS body. */
    public static String s3Message(String sqsBody) {
        if (sqsBody == null || sqsBody.isBlank()) {
            throw new MalformedNotificationException("empty SQS message body");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(sqsBody);
        } catch (IOException e) {
            throw new MalformedNotificationException("SQS body is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new MalformedNotificationException("SQS body is not a JSON object");
        }
        if (root.has("Records") || root.has("Event")) {
            return sqsBody;
        }
        JsonNode type = root.get("Type");
        JsonNode message = root.get("Message");
        if (type != null && "Notification".equals(type.asText()) && message != null && message.isTextual()) {
            return message.asText();
        }
        throw new MalformedNotificationException("SQS body is neither an SNS notification nor S3 JSON");
    }
}
