package dev.filetrail.local.sns;

import java.time.Instant;
import java.util.Map;

/** One message published to a topic, as SNS holds it before delivery. */
public record SnsMessage(String messageId, String topicArn, String subject, String message, Instant timestamp,
                         Map<String, String> stringAttributes) {
}
