package dev.filetrail.events.s3;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.events.IsoInstants;
import dev.filetrail.events.object.EventIds;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventType;
import dev.filetrail.events.object.Origin;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns an S3 event notification (eventVersion 2.x, as AWS documents it) into canonical {@link ObjectEvent}s.
 * All-or-nothing: one malformed record rejects the whole body, so a redriven message never half-repeats.
 */
public final class S3NotificationParser {
    public static final String TEST_EVENT = "s3:TestEvent";

    /** Whether this JSON object looks like an S3 notification (records or the test event) at all. */
    public static boolean recognises(JsonNode body) {
        return body.isObject() && (body.has("Records") || TEST_EVENT.equals(body.path("Event").asText(null)));
    }

    /**
     * @param origin     the SQS/SNS ids carried into every event's origin (configurationId is filled per record)
     * @param ingestedAt the bridge's receive time, the same for every record of the message
     */
    public S3Notification parse(JsonNode body, Origin origin, Instant ingestedAt) {
        if (!body.isObject()) {
            throw new MalformedMessageException("S3 notification is not a JSON object");
        }
        if (TEST_EVENT.equals(body.path("Event").asText(null))) {
            return S3Notification.test();
        }
        JsonNode records = body.get("Records");
        if (records == null || !records.isArray()) {
            throw new MalformedMessageException("S3 notification has no Records array");
        }
        if (records.isEmpty()) {
            throw new MalformedMessageException("S3 notification has an empty Records array");
        }
        List<ObjectEvent> events = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            try {
                events.add(record(records.get(i), origin, ingestedAt));
            } catch (MalformedMessageException e) {
                throw new MalformedMessageException("Records[" + i + "]: " + e.getMessage(), e);
            }
        }
        return new S3Notification(false, List.copyOf(events));
    }

    private ObjectEvent record(JsonNode record, Origin origin, Instant ingestedAt) {
        if (!record.isObject()) {
            throw new MalformedMessageException("record is not a JSON object");
        }
        checkVersion(requiredText(record, "eventVersion"));
        String eventName = requiredText(record, "eventName");
        Instant eventTime = instant(requiredText(record, "eventTime"), "eventTime");
        JsonNode s3 = record.path("s3");
        String bucket = requiredText(s3.path("bucket"), "name", "s3.bucket.name");
        JsonNode object = s3.path("object");
        String key = S3Keys.decode(requiredText(object, "key", "s3.object.key"));
        if (bucket.isEmpty() || key.isEmpty()) {
            throw new MalformedMessageException("empty bucket name or object key");
        }
        String versionId = optionalText(object, "versionId");
        String sequencer = optionalText(object, "sequencer");

        String storageClass = optionalText(record.path("lifecycleEventData").path("transitionEventData"),
                "destinationStorageClass");
        if (storageClass == null) {
            // Intelligent-Tiering keeps its storage class and moves between access tiers; the tier is the news.
            storageClass = optionalText(record.path("intelligentTieringEventData"), "destinationAccessTier");
        }
        JsonNode restore = record.path("glacierEventData").path("restoreEventData");
        String restoreExpiry = optionalText(restore, "lifecycleRestorationExpiryTime");
        Long size = object.hasNonNull("size") ? sizeOf(object.get("size")) : null;

        return event(bucket, key, versionId, sequencer, eventName, size, optionalText(object, "eTag"), storageClass,
                eventTime, optionalText(record, "awsRegion"),
                optionalText(record.path("userIdentity"), "principalId"),
                optionalText(record.path("requestParameters"), "sourceIPAddress"),
                restoreExpiry == null ? null : instant(restoreExpiry, "lifecycleRestorationExpiryTime"),
                optionalText(restore, "lifecycleRestoreStorageClass"),
                optionalText(s3, "configurationId"), origin, ingestedAt);
    }

    /**
     * The canonical event of a record read by the streaming parser, checked as {@link #parse} checks it; throws on
     * the first field that fails (without {@link #parse}'s precise reason: the caller then asks it).
     */
    static ObjectEvent event(S3Record r, Origin origin, Instant ingestedAt) {
        if (r.eventVersion() == null || r.eventName() == null || r.eventTime() == null || r.bucket() == null
                || r.key() == null) {
            throw new MalformedMessageException("a required field is missing");
        }
        checkVersion(r.eventVersion());
        Instant time = instant(r.eventTime(), "eventTime");
        String key = S3Keys.decode(r.key());
        if (r.bucket().isEmpty() || key.isEmpty()) {
            throw new MalformedMessageException("empty bucket name or object key");
        }
        String storageClass = r.transitionStorageClass() != null ? r.transitionStorageClass() : r.accessTier();
        return event(r.bucket(), key, r.versionId(), r.sequencer(), r.eventName(), r.size(), r.eTag(), storageClass,
                time, r.region(), r.requester(), r.sourceIp(),
                r.restoreExpiry() == null ? null : instant(r.restoreExpiry(), "lifecycleRestorationExpiryTime"),
                r.restoreStorageClass(), r.configurationId(), origin, ingestedAt);
    }

    /** The canonical event from a record's checked fields; the one place both parsers build it. */
    private static ObjectEvent event(String bucket, String key, String versionId, String sequencer, String eventName,
                             Long size, String eTag, String storageClass, Instant eventTime, String region,
                             String requester, String sourceIp, Instant restoreExpiry, String restoreStorageClass,
                             String configurationId, Origin origin, Instant ingestedAt) {
        return new ObjectEvent(
                EventIds.objectEventId(bucket, key, versionId, sequencer, eventName, eventTime),
                bucket,
                key,
                versionId,
                sequencer,
                ObjectEventType.fromEventName(eventName),
                eventName,
                size,
                eTag,
                storageClass,
                eventTime,
                region,
                requester,
                sourceIp,
                restoreExpiry,
                restoreStorageClass,
                new Origin(origin.source(), origin.sqsMessageId(), origin.snsMessageId(), configurationId),
                ingestedAt);
    }

    /** Major 2 and any minor of at least 1 ({@code 2.1}, {@code 2.3}, {@code 2.10.x}); per event, so no regex. */
    static void checkVersion(String version) {
        boolean valid = version.length() >= 3 && version.charAt(0) == '2' && version.charAt(1) == '.';
        if (valid) {
            int end = version.indexOf('.', 2);
            end = end < 0 ? version.length() : end;
            boolean nonZero = false;
            for (int i = 2; i < end && valid; i++) {
                char c = version.charAt(i);
                valid = c >= '0' && c <= '9';
                nonZero |= c > '0';
            }
            valid &= end > 2 && nonZero;
        }
        if (!valid) {
            throw new MalformedMessageException("unsupported eventVersion '" + version + "' (accepts 2.1 and later 2.x)");
        }
    }

    private static Long sizeOf(JsonNode size) {
        if (size.canConvertToLong() && size.isIntegralNumber() && size.asLong() >= 0) {
            return size.asLong();
        }
        throw new MalformedMessageException("s3.object.size is not a non-negative whole number: " + size);
    }

    static Instant instant(String text, String field) {
        try {
            return IsoInstants.parse(text);
        } catch (DateTimeParseException e) {
            throw new MalformedMessageException(field + " is not an ISO-8601 instant: '" + text + "'", e);
        }
    }

    private static String requiredText(JsonNode node, String field) {
        return requiredText(node, field, field);
    }

    private static String requiredText(JsonNode node, String field, String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new MalformedMessageException("missing " + path);
        }
        if (!value.isTextual()) {
            throw new MalformedMessageException(path + " is not a string");
        }
        return value.asText();
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isValueNode()) {
            throw new MalformedMessageException(field + " is not a plain value");
        }
        return value.asText();
    }
}
