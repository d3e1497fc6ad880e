package dev.filetrail.lambda.s3event;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.events.Json;
import dev.filetrail.events.s3.S3NotificationStreamingParser;
import dev.filetrail.events.s3.SnsEnvelope;
import java.io.IOException;
import java.util.Optional;

/**
 * Unwraps an SQS message body: an SNS envelope (non-raw delivery) or the S3 JSON itself (raw delivery), read by
 * the bridge's reader ({@code events.s3}): one streaming pass, a tree only for shapes that pass does not vouch for.
 */
public final class SnsEnvelopes {
    private SnsEnvelopes() {
    }

    /** The S3 notification JSON carried by one SQS body. */
    public static String s3Message(String sqsBody) {
        if (sqsBody == null || sqsBody.isBlank()) {
            throw new MalformedNotificationException("empty SQS message body");
        }
        S3NotificationStreamingParser.Scan scanned = S3Notifications.READER.scan(sqsBody);
        if (scanned instanceof S3NotificationStreamingParser.Records) {
            return sqsBody;
        }
        if (scanned instanceof S3NotificationStreamingParser.Envelope found && found.envelope().isNotification()) {
            return found.envelope().message();
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
        Optional<SnsEnvelope> envelope = SnsEnvelope.from(root);
        if (envelope.isPresent() && envelope.get().isNotification() && envelope.get().message() != null) {
            return envelope.get().message();
        }
        throw new MalformedNotificationException("SQS body is neither an SNS notification nor S3 JSON");
    }
}
