package dev.filetrail.bridge;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.filetrail.events.deadletter.DeadLetter;
import dev.filetrail.bridge.kafka.OutboundRecord;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.s3.MalformedMessageException;
import dev.filetrail.events.s3.S3Notification;
import dev.filetrail.events.s3.S3NotificationParser;
import dev.filetrail.events.s3.S3NotificationStreamingParser;
import dev.filetrail.events.s3.SnsEnvelope;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.Origin;
import dev.filetrail.events.processing.ProcessingResult;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads one SQS body (an SNS envelope or a raw delivery; an S3 notification, S3's test event or a Lambda
 * processing result) and says what to produce. Never throws: whatever it cannot read becomes a dead letter
 * carrying the untouched body.
 */
public final class MessageTranslator {
    private static final ObjectReader STRICT = Json.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final JsonFactory FACTORY = Json.MAPPER.getFactory();

    private final S3NotificationParser parser = new S3NotificationParser();
    private final S3NotificationStreamingParser streaming = new S3NotificationStreamingParser(FACTORY);
    private final String queueUrl;
    private final Clock clock;

    public MessageTranslator(String queueUrl, Clock clock) {
        this.queueUrl = queueUrl;
        this.clock = clock;
    }

    public Translation translate(InboundMessage message) {
        String snsMessageId = null;
        try {
            // The common shapes (an S3 notification, raw or in an SNS envelope) are read by streaming, each JSON
            // text once; whatever those readers do not vouch for takes the tree path below, which decides alone.
            S3NotificationStreamingParser.Scan scanned = streaming.scan(message.body());
            if (scanned instanceof S3NotificationStreamingParser.Envelope found && found.envelope().isNotification()) {
                snsMessageId = found.envelope().messageId();
                String payload = found.envelope().message();
                Translation fast = streamed(streaming.scan(payload), message, snsMessageId);
                if (fast != null) {
                    return fast;
                }
                return translatePayload(readJson(payload, "SNS Message"), payload, message, snsMessageId);
            }
            if (!(scanned instanceof S3NotificationStreamingParser.Envelope)) {
                Translation fast = streamed(scanned, message, null);
                if (fast != null) {
                    return fast;
                }
            }
            JsonNode body = readJson(message.body(), "SQS body");
            JsonNode payload = body;
            Optional<SnsEnvelope> envelope = SnsEnvelope.from(body);
            if (envelope.isPresent()) {
                snsMessageId = envelope.get().messageId();
                if (!envelope.get().isNotification()) {
                    throw new MalformedMessageException("SNS message of Type '" + envelope.get().type()
                            + "' is not a Notification (a subscription confirmation must be confirmed by hand)");
                }
                if (envelope.get().message() == null) {
                    throw new MalformedMessageException("SNS envelope Message is not a string");
                }
                payload = readJson(envelope.get().message(), "SNS Message");
            }
            return translatePayload(payload, envelope.map(SnsEnvelope::message).orElse(message.body()),
                    message, snsMessageId);
        } catch (MalformedMessageException e) {
            return reject(e.getMessage(), message, snsMessageId);
        } catch (RuntimeException e) {
            // A bug here must not lose the message or block the queue: park it, fix, redrive.
            return reject("unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage(), message, snsMessageId);
        }
    }

    private Translation translatePayload(JsonNode payload, String payloadText, InboundMessage message,
                                         String snsMessageId) {
        if (payload.isObject() && ProcessingResult.SCHEMA.equals(payload.path("schema").asText(null))) {
            return processingResult(payload, payloadText);
        }
        if (!S3NotificationParser.recognises(payload)) {
            throw new MalformedMessageException("body is neither an S3 event notification nor a processing result"
                    + (payload.isObject() ? "" : " (not a JSON object)"));
        }
        Origin origin = new Origin(Origin.S3_NOTIFICATION, message.sqsMessageId(), snsMessageId, null);
        S3Notification notification = parser.parse(payload, origin, clock.instant());
        if (notification.testEvent()) {
            return new Translation.Skip(S3NotificationParser.TEST_EVENT);
        }
        return publish(notification);
    }

    /** The streaming reading of an S3 notification, or {@code null} when the tree path must decide. */
    private Translation streamed(S3NotificationStreamingParser.Scan scanned, InboundMessage message,
                                 String snsMessageId) {
        Origin origin = new Origin(Origin.S3_NOTIFICATION, message.sqsMessageId(), snsMessageId, null);
        S3Notification notification = S3NotificationStreamingParser.notificationOrNull(scanned, origin,
                clock.instant());
        return notification == null ? null : publish(notification);
    }

    private static Translation publish(S3Notification notification) {
        List<OutboundRecord> records = new ArrayList<>(notification.events().size());
        for (ObjectEvent event : notification.events()) {
            records.add(new OutboundRecord(Topics.OBJECT_EVENTS.name(), event.recordKey(),
                    Topics.OBJECT_EVENTS.values().encode(event),
                    "bucket=" + event.bucket() + " key=" + event.key() + " versionId=" + event.versionId()
                            + " eventName=" + event.eventName() + " eventId=" + event.eventId()));
        }
        return new Translation.Publish(List.copyOf(records));
    }

    private static Translation processingResult(JsonNode payload, String payloadText) {
        ProcessingResult result;
        try {
            result = Json.MAPPER.treeToValue(payload, ProcessingResult.class);
        } catch (Exception e) {
            throw new MalformedMessageException("processing result has the wrong shape: " + e.getMessage(), e);
        }
        if (isBlank(result.bucket()) || isBlank(result.key())) {
            throw new MalformedMessageException("processing result has no bucket or key");
        }
        // The result is forwarded byte for byte so fields a newer Lambda adds within v1 survive the bridge.
        return new Translation.Publish(List.of(new OutboundRecord(Topics.PROCESSING_RESULTS.name(), result.recordKey(),
                payloadText.getBytes(StandardCharsets.UTF_8),
                "bucket=" + result.bucket() + " key=" + result.key() + " versionId=" + result.versionId()
                        + " processor=" + result.processor() + " resultId=" + result.resultId())));
    }

    private Translation reject(String reason, InboundMessage message, String snsMessageId) {
        DeadLetter letter = DeadLetter.of(reason, message.body(), message.sqsMessageId(), snsMessageId, queueUrl,
                message.receiveCount(), message.receivedAt());
        return new Translation.Reject(letter, new OutboundRecord(Topics.INGEST_DLQ.name(), letter.id(),
                Topics.INGEST_DLQ.values().encode(letter),
                "deadLetter=" + letter.id() + " sqsMessageId=" + message.sqsMessageId() + " reason=" + reason));
    }

    private static JsonNode readJson(String text, String what) {
        if (text == null || text.isBlank()) {
            throw new MalformedMessageException(what + " is empty");
        }
        try {
            JsonNode node = STRICT.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new MalformedMessageException(what + " is empty");
            }
            return node;
        } catch (MalformedMessageException e) {
            throw e;
        } catch (Exception e) {
            throw new MalformedMessageException(what + " is not JSON: " + firstLine(e.getMessage()), e);
        }
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
