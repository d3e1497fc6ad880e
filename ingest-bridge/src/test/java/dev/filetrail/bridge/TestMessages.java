package dev.filetrail.bridge;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filetrail.events.Json;
import java.util.List;
import java.util.UUID;

/** Builds SQS bodies as S3 and SNS write them, for tests and benchmarks. */
public final class TestMessages {
    private TestMessages() {
    }

    /** An SNS Notification envelope around {@code message}, field for field as SNS delivers it to SQS. */
    public static String snsEnvelope(String message, String snsMessageId) {
        ObjectNode envelope = Json.MAPPER.createObjectNode();
        envelope.put("Type", "Notification");
        envelope.put("MessageId", snsMessageId);
        envelope.put("TopicArn", "arn:aws:sns:us-east-1:000000000000:filetrail-object-events");
        envelope.put("Subject", "Amazon S3 Notification");
        envelope.put("Message", message);
        envelope.put("Timestamp", "2025-03-14T09:26:53.712Z");
        envelope.put("SignatureVersion", "1");
        envelope.put("Signature", "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=");
        envelope.put("SigningCertURL", "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem");
        envelope.put("UnsubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:000000000000:filetrail-object-events:" + UUID.nameUUIDFromBytes(snsMessageId.getBytes()));
        envelope.set("MessageAttributes", Json.MAPPER.createObjectNode());
        return Json.writeString(envelope);
    }

    /** An S3 notification with one ObjectCreated:Put record per key (form-URL-encoding the keys). */
    public static String s3Put(String bucket, List<String> keys, long sequencerBase) {
        StringBuilder records = new StringBuilder();
        for (int i = 0; i < keys.size(); i++) {
            if (i > 0) {
                records.append(',');
            }
            records.append(s3Record("ObjectCreated:Put", bucket, keys.get(i), "v" + (sequencerBase + i),
                    String.format("%018X", sequencerBase + i), 1024L + i));
        }
        return "{\"Records\":[" + records + "]}";
    }

    /** One S3 record as AWS documents it (eventVersion 2.1). */
    public static String s3Record(String eventName, String bucket, String key, String versionId, String sequencer,
                                  Long size) {
        return s3RecordEncoded(eventName, bucket, java.net.URLEncoder.encode(key, java.nio.charset.StandardCharsets.UTF_8),
                versionId, sequencer, size);
    }

    /** A record whose key is given as it appears in the notification (form-URL-encoded, or not quite). */
    public static String s3RecordEncoded(String eventName, String bucket, String encodedKey, String versionId,
                                         String sequencer, Long size) {
        return "{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\",\"awsRegion\":\"us-east-1\","
                + "\"eventTime\":\"2025-03-14T09:26:53.589Z\",\"eventName\":\"" + eventName + "\","
                + "\"userIdentity\":{\"principalId\":\"AWS:AIDAJDPLRKLG7UEXAMPLE\"},"
                + "\"requestParameters\":{\"sourceIPAddress\":\"203.0.113.15\"},"
                + "\"responseElements\":{\"x-amz-request-id\":\"C3D13FE58DE4C810\",\"x-amz-id-2\":\"FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD\"},"
                + "\"s3\":{\"s3SchemaVersion\":\"1.0\",\"configurationId\":\"filetrail-events\","
                + "\"bucket\":{\"name\":\"" + bucket + "\",\"ownerIdentity\":{\"principalId\":\"A3NL1KOZZKExample\"},\"arn\":\"arn:aws:s3:::" + bucket + "\"},"
                + "\"object\":{\"key\":\"" + encodedKey + "\""
                + (size == null ? "" : ",\"size\":" + size + ",\"eTag\":\"d41d8cd98f00b204e9800998ecf8427e\"")
                + (versionId == null ? "" : ",\"versionId\":\"" + versionId + "\"")
                + (sequencer == null ? "" : ",\"sequencer\":\"" + sequencer + "\"")
                + "}}}";
    }
}
