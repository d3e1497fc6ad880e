package dev.filetrail.events.s3;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.Origin;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The fast path for the common case, one streaming pass over each JSON text without building a tree: an SQS body
 * is either an SNS envelope (its fields read; its {@code Message}, another JSON text, is read by a second call) or a
 * raw delivery whose {@code Records} are read in the same pass. It never rejects: anything unusual (a parse error, an
 * unexpected type, a duplicate object, a processing result, envelope fields beside records) answers {@code null},
 * and the caller falls back to {@link S3NotificationParser}, which gives the precise reason. So both paths agree on
 * every body they both read. Used by the bridge ({@link #parseOrNull}) and the Lambdas ({@link #scan}).
 */
public final class S3NotificationStreamingParser {
    private final JsonFactory factory;

    public S3NotificationStreamingParser(JsonFactory factory) {
        this.factory = factory;
    }

    /** What one pass over a JSON text found: an SNS envelope or an S3 notification's records. */
    public sealed interface Scan permits Envelope, Records {
    }

    /** An SNS envelope with string {@code Type}, {@code MessageId} and {@code Message}. */
    public record Envelope(SnsEnvelope envelope) implements Scan {
    }

    /**
     * An object with a {@code Records} array of objects and/or an {@code Event} (S3's test event), the records' fields
     * as written, unchecked.
     */
    public record Records(List<S3Record> records, String event) implements Scan {
        public Records {
            records = List.copyOf(records);
        }
    }

    /** The envelope or records of {@code json}, or {@code null} when the tree parser must decide. */
    public Scan scan(String json) {
        if (json == null) {
            return null;
        }
        try (JsonParser p = factory.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            List<S3Record> records = null;
            String event = null;
            boolean eventSeen = false;
            String type = null;
            String messageId = null;
            String message = null;
            String topicArn = null;
            String subject = null;
            String timestamp = null;
            int envelopeFields = 0;
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken value = p.nextToken();
                switch (name) {
                    case "Records" -> {
                        if (records != null || value != JsonToken.START_ARRAY) {
                            return null;
                        }
                        records = records(p);
                    }
                    case "Event" -> {
                        if (eventSeen) {
                            return null;
                        }
                        eventSeen = true;
                        event = text(p, value);
                    }
                    case "Type" -> {
                        type = envelopeString(p, value, type);
                        envelopeFields++;
                    }
                    case "MessageId" -> {
                        messageId = envelopeString(p, value, messageId);
                        envelopeFields++;
                    }
                    case "Message" -> {
                        message = envelopeString(p, value, message);
                        envelopeFields++;
                    }
                    case "TopicArn" -> topicArn = text(p, value);
                    case "Subject" -> subject = text(p, value);
                    case "Timestamp" -> timestamp = text(p, value);
                    // A processing result: the tree parser decides.
                    case "schema" -> {
                        return null;
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                return null;
            }
            if (envelopeFields > 0) {
                return envelopeFields == 3 && records == null && !eventSeen
                        ? new Envelope(new SnsEnvelope(type, messageId, topicArn, subject, message, timestamp))
                        : null;
            }
            return records == null && !eventSeen ? null : new Records(records == null ? List.of() : records, event);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The events of {@code json} when it is a plain S3 notification (records, no test event) whose records pass every
     * check, or {@code null} when the tree parser must decide.
     */
    public S3Notification parseOrNull(String json, Origin origin, Instant ingestedAt) {
        return notificationOrNull(scan(json), origin, ingestedAt);
    }

    /** {@link #parseOrNull} of a text already scanned. */
    public static S3Notification notificationOrNull(Scan scanned, Origin origin, Instant ingestedAt) {
        if (!(scanned instanceof Records plain) || plain.event() != null || plain.records().isEmpty()) {
            return null;
        }
        try {
            List<ObjectEvent> events = new ArrayList<>(plain.records().size());
            for (S3Record record : plain.records()) {
                events.add(S3NotificationParser.event(record, origin, ingestedAt));
            }
            return new S3Notification(false, List.copyOf(events));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** A required envelope field: a string, once. */
    private static String envelopeString(JsonParser p, JsonToken value, String before) throws IOException {
        if (before != null || value != JsonToken.VALUE_STRING) {
            throw NotPlain.INSTANCE;
        }
        return p.getText();
    }

    private static List<S3Record> records(JsonParser p) throws IOException {
        List<S3Record> events = new ArrayList<>(2);
        JsonToken token;
        while ((token = p.nextToken()) == JsonToken.START_OBJECT) {
            events.add(record(p));
        }
        if (token != JsonToken.END_ARRAY) {
            throw NotPlain.INSTANCE;
        }
        return events;
    }

    private static S3Record record(JsonParser p) throws IOException {
        Record r = new Record();
        String name;
        while ((name = p.nextFieldName()) != null) {
            JsonToken value = p.nextToken();
            switch (name) {
                case "eventVersion" -> r.eventVersion = text(p, value);
                case "eventName" -> r.eventName = text(p, value);
                case "eventTime" -> r.eventTime = text(p, value);
                case "awsRegion" -> r.region = text(p, value);
                case "userIdentity" -> {
                    r.seen(0);
                    r.requester = textField(p, value, "principalId");
                }
                case "requestParameters" -> {
                    r.seen(1);
                    r.sourceIp = textField(p, value, "sourceIPAddress");
                }
                case "s3" -> {
                    r.seen(2);
                    s3(p, value, r);
                }
                case "lifecycleEventData" -> {
                    r.seen(3);
                    object(p, value, (field, v) -> {
                        if (field.equals("transitionEventData")) {
                            r.seen(4);
                            r.transitionStorageClass = textField(p, v, "destinationStorageClass");
                        } else {
                            p.skipChildren();
                        }
                    });
                }
                case "intelligentTieringEventData" -> {
                    r.seen(5);
                    r.accessTier = textField(p, value, "destinationAccessTier");
                }
                case "glacierEventData" -> {
                    r.seen(6);
                    object(p, value, (field, v) -> {
                        if (field.equals("restoreEventData")) {
                            r.seen(7);
                            object(p, v, (inner, w) -> {
                                switch (inner) {
                                    case "lifecycleRestorationExpiryTime" -> r.restoreExpiry = text(p, w);
                                    case "lifecycleRestoreStorageClass" -> r.restoreStorageClass = text(p, w);
                                    default -> p.skipChildren();
                                }
                            });
                        } else {
                            p.skipChildren();
                        }
                    });
                }
                default -> p.skipChildren();
            }
        }
        return r.toRecord();
    }

    private static void s3(JsonParser p, JsonToken value, Record r) throws IOException {
        object(p, value, (field, v) -> {
            switch (field) {
                case "configurationId" -> r.configurationId = text(p, v);
                case "bucket" -> {
                    r.seen(8);
                    r.bucket = textField(p, v, "name");
                }
                case "object" -> {
                    r.seen(9);
                    object(p, v, (inner, w) -> {
                        switch (inner) {
                            case "key" -> r.key = text(p, w);
                            case "versionId" -> r.versionId = text(p, w);
                            case "sequencer" -> r.sequencer = text(p, w);
                            case "eTag" -> r.eTag = text(p, w);
                            case "size" -> r.size = size(p, w);
                            default -> p.skipChildren();
                        }
                    });
                }
                default -> p.skipChildren();
            }
        });
    }

    /** Walks the fields of the object whose START_OBJECT is {@code value}. */
    private static void object(JsonParser p, JsonToken value, Field field) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            throw NotPlain.INSTANCE;
        }
        String name;
        while ((name = p.nextFieldName()) != null) {
            field.read(name, p.nextToken());
        }
    }

    /** The text field {@code wanted} of the object at {@code value} (the last if repeated, null if absent). */
    private static String textField(JsonParser p, JsonToken value, String wanted) throws IOException {
        String[] found = new String[1];
        object(p, value, (field, v) -> {
            if (field.equals(wanted)) {
                found[0] = text(p, v);
            } else {
                p.skipChildren();
            }
        });
        return found[0];
    }

    private static String text(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        throw NotPlain.INSTANCE;
    }

    private static Long size(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            long size = p.getLongValue();
            if (size >= 0) {
                return size;
            }
        }
        throw NotPlain.INSTANCE;
    }

    @FunctionalInterface
    private interface Field {
        void read(String name, JsonToken value) throws IOException;
    }

    /** The fields of one record as read; checked and turned into an event at the end. */
    private static final class Record {
        private int seenObjects;
        String eventVersion;
        String eventName;
        String eventTime;
        String region;
        String requester;
        String sourceIp;
        String configurationId;
        String bucket;
        String key;
        String versionId;
        String sequencer;
        String eTag;
        Long size;
        String transitionStorageClass;
        String accessTier;
        String restoreExpiry;
        String restoreStorageClass;

        /** A repeated object would be replaced whole by the tree parser, not merged: leave that case to it. */
        void seen(int object) {
            int bit = 1 << object;
            if ((seenObjects & bit) != 0) {
                throw NotPlain.INSTANCE;
            }
            seenObjects |= bit;
        }

        S3Record toRecord() {
            return new S3Record(eventVersion, eventName, eventTime, region, requester, sourceIp, configurationId,
                    bucket, key, versionId, sequencer, eTag, size, transitionStorageClass, accessTier, restoreExpiry,
                    restoreStorageClass);
        }
    }

    /** Not the plain shape this parser reads: the tree parser decides. Stackless, it is control flow. */
    private static final class NotPlain extends RuntimeException {
        static final NotPlain INSTANCE = new NotPlain();

        private NotPlain() {
            super("not the plain shape", null, false, false);
        }
    }
}
