package dev.filetrail.bridge.s3event;

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
 * The fast path for the common case: reads a well-formed S3 notification ({@code {"Records":[…]}} with string
 * fields where AWS puts strings) in one streaming pass, without building a JSON tree. It never rejects: anything
 * unusual (a parse error, an unexpected type, a duplicate object, a test event, an SNS envelope, a processing
 * result, a field the checks refuse) answers {@code null}, and the caller falls back to
 * {@link S3NotificationParser}, which gives the precise reason. So both paths agree on every body they both read.
 */
public final class S3NotificationStreamingParser {
    private final JsonFactory factory;

    public S3NotificationStreamingParser(JsonFactory factory) {
        this.factory = factory;
    }

    /** The events of {@code json}, or {@code null} when the tree parser must decide. */
    public S3Notification parseOrNull(String json, Origin origin, Instant ingestedAt) {
        if (json == null) {
            return null;
        }
        try (JsonParser p = factory.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            List<ObjectEvent> events = null;
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken value = p.nextToken();
                switch (name) {
                    case "Records" -> {
                        if (events != null || value != JsonToken.START_ARRAY) {
                            return null;
                        }
                        events = records(p, origin, ingestedAt);
                    }
                    // The tree parser decides test events, processing results and SNS envelopes.
                    case "Event", "schema", "Type", "MessageId", "Message" -> {
                        return null;
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null || events == null
                    || events.isEmpty()) {
                return null;
            }
            return new S3Notification(false, List.copyOf(events));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static List<ObjectEvent> records(JsonParser p, Origin origin, Instant ingestedAt) throws IOException {
        List<ObjectEvent> events = new ArrayList<>(2);
        JsonToken token;
        while ((token = p.nextToken()) == JsonToken.START_OBJECT) {
            events.add(record(p, origin, ingestedAt));
        }
        if (token != JsonToken.END_ARRAY) {
            throw NotPlain.INSTANCE;
        }
        return events;
    }

    private static ObjectEvent record(JsonParser p, Origin origin, Instant ingestedAt) throws IOException {
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
                    object(p, value, (field, v) -> {
                        if (field.equals("principalId")) {
                            r.requester = text(p, v);
                        } else {
                            p.skipChildren();
                        }
                    });
                }
                case "requestParameters" -> {
                    r.seen(1);
                    object(p, value, (field, v) -> {
                        if (field.equals("sourceIPAddress")) {
                            r.sourceIp = text(p, v);
                        } else {
                            p.skipChildren();
                        }
                    });
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
                            object(p, v, (inner, w) -> {
                                if (inner.equals("destinationStorageClass")) {
                                    r.transitionStorageClass = text(p, w);
                                } else {
                                    p.skipChildren();
                                }
                            });
                        } else {
                            p.skipChildren();
                        }
                    });
                }
                case "intelligentTieringEventData" -> {
                    r.seen(5);
                    object(p, value, (field, v) -> {
                        if (field.equals("destinationAccessTier")) {
                            r.accessTier = text(p, v);
                        } else {
                            p.skipChildren();
                        }
                    });
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
        return r.toEvent(origin, ingestedAt);
    }

    private static void s3(JsonParser p, JsonToken value, Record r) throws IOException {
        object(p, value, (field, v) -> {
            switch (field) {
                case "configurationId" -> r.configurationId = text(p, v);
                case "bucket" -> {
                    r.seen(8);
                    object(p, v, (inner, w) -> {
                        if (inner.equals("name")) {
                            r.bucket = text(p, w);
                        } else {
                            p.skipChildren();
                        }
                    });
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

        ObjectEvent toEvent(Origin origin, Instant ingestedAt) {
            if (eventVersion == null || eventName == null || eventTime == null || bucket == null || key == null) {
                throw NotPlain.INSTANCE;
            }
            S3NotificationParser.checkVersion(eventVersion);
            Instant time = S3NotificationParser.instant(eventTime, "eventTime");
            String decodedKey = S3Keys.decode(key);
            if (bucket.isEmpty() || decodedKey.isEmpty()) {
                throw NotPlain.INSTANCE;
            }
            String storageClass = transitionStorageClass != null ? transitionStorageClass : accessTier;
            return S3NotificationParser.event(bucket, decodedKey, versionId, sequencer, eventName, size, eTag,
                    storageClass, time, region, requester, sourceIp,
                    restoreExpiry == null ? null : S3NotificationParser.instant(restoreExpiry, "lifecycleRestorationExpiryTime"),
                    restoreStorageClass, configurationId, origin, ingestedAt);
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
