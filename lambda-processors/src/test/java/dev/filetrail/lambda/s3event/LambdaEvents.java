package dev.filetrail.lambda.s3event;

import com.amazonaws.services.lambda.runtime.events.SNSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filetrail.events.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Event JSON as AWS writes it (S3 notification inside an SNS notification inside a Lambda event), turned into
 * the aws-lambda-java-events classes by the Lambda Java runtime's own serializer.
 */
public final class LambdaEvents {
    public static final String OBJECT_EVENTS_TOPIC = "arn:aws:sns:us-east-1:000000000000:filetrail-object-events";

    private LambdaEvents() {
    }

    /** One S3 record as S3 writes it: the key form-URL-encoded, slashes kept. */
    public static ObjectNode s3Record(String eventName, String bucket, String key, String versionId, Long size,
                                      String eTag, String sequencer) {
        ObjectNode record = Json.MAPPER.createObjectNode();
        record.put("eventVersion", "2.1");
        record.put("eventSource", "aws:s3");
        record.put("awsRegion", "us-east-1");
        record.put("eventTime", Instant.parse("2024-05-17T12:03:22.123Z").toString());
        record.put("eventName", eventName);
        record.putObject("userIdentity").put("principalId", "AWS:AIDAEXAMPLE");
        record.putObject("requestParameters").put("sourceIPAddress", "127.0.0.1");
        ObjectNode response = record.putObject("responseElements");
        response.put("x-amz-request-id", "C3D13FE58DE4C810");
        response.put("x-amz-id-2", "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD");
        ObjectNode s3 = record.putObject("s3");
        s3.put("s3SchemaVersion", "1.0");
        s3.put("configurationId", "filetrail-object-events");
        ObjectNode bucketNode = s3.putObject("bucket");
        bucketNode.put("name", bucket);
        bucketNode.putObject("ownerIdentity").put("principalId", "A3NL1KOZZKExample");
        bucketNode.put("arn", "arn:aws:s3:::" + bucket);
        ObjectNode object = s3.putObject("object");
        object.put("key", URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/"));
        if (size != null) {
            object.put("size", size);
        }
        if (eTag != null) {
            object.put("eTag", eTag.replace("\"", ""));
        }
        if (versionId != null) {
            object.put("versionId", versionId);
        }
        if (sequencer != null) {
            object.put("sequencer", sequencer);
        }
        return record;
    }

    public static String s3Notification(ObjectNode... records) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode array = root.putArray("Records");
        for (ObjectNode record : records) {
            array.add(record);
        }
        return Json.writeString(root);
    }

    public static String testEvent(String bucket) {
        return "{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Time\":\"2024-05-17T12:00:00.000Z\","
                + "\"Bucket\":\"" + bucket + "\",\"RequestId\":\"5582815E1AEA5ADF\",\"HostId\":\"8cLeGAmw098X5cv4Zkw\"}";
    }

    /** The SNS notification (as SQS receives it without raw delivery, and as Lambda's Sns field carries it). */
    public static ObjectNode snsNotification(String message) {
        ObjectNode sns = Json.MAPPER.createObjectNode();
        sns.put("Type", "Notification");
        sns.put("MessageId", UUID.randomUUID().toString());
        sns.put("TopicArn", OBJECT_EVENTS_TOPIC);
        sns.put("Subject", "Amazon S3 Notification");
        sns.put("Message", message);
        sns.put("Timestamp", "2024-05-17T12:03:22.456Z");
        sns.put("SignatureVersion", "1");
        sns.put("Signature", "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=");
        sns.put("SigningCertUrl", "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem");
        sns.put("UnsubscribeUrl", "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="
                + OBJECT_EVENTS_TOPIC + ":c9135db0-26c4-47ec-8998-413945fb5a96");
        sns.putObject("MessageAttributes");
        return sns;
    }

    /** A Lambda SNS event with one record per message, deserialized as the Lambda Java runtime does. */
    public static SNSEvent snsEvent(String... messages) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode records = root.putArray("Records");
        for (String message : messages) {
            ObjectNode record = records.addObject();
            record.put("EventSource", "aws:sns");
            record.put("EventVersion", "1.0");
            record.put("EventSubscriptionArn", OBJECT_EVENTS_TOPIC + ":c9135db0-26c4-47ec-8998-413945fb5a96");
            record.set("Sns", snsNotification(message));
        }
        return LambdaEventSerializers.serializerFor(SNSEvent.class, LambdaEvents.class.getClassLoader())
                .fromJson(Json.writeString(root));
    }

    /** A Lambda SQS event whose bodies are given verbatim, deserialized as the Lambda Java runtime does. */
    public static SQSEvent sqsEvent(List<String> bodies) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode records = root.putArray("Records");
        int n = 0;
        for (String body : bodies) {
            ObjectNode record = records.addObject();
            record.put("messageId", "message-" + n++);
            record.put("receiptHandle", "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a");
            record.put("body", body);
            ObjectNode attributes = record.putObject("attributes");
            attributes.put("ApproximateReceiveCount", "1");
            attributes.put("SentTimestamp", "1715947402000");
            attributes.put("SenderId", "AIDAEXAMPLE");
            attributes.put("ApproximateFirstReceiveTimestamp", "1715947402001");
            record.putObject("messageAttributes");
            record.put("md5OfBody", "e4e68fb7bd0e697a0ae8f1bb342846b3");
            record.put("eventSource", "aws:sqs");
            record.put("eventSourceARN", "arn:aws:sqs:us-east-1:000000000000:filetrail-thumbnails");
            record.put("awsRegion", "us-east-1");
        }
        return LambdaEventSerializers.serializerFor(SQSEvent.class, LambdaEvents.class.getClassLoader())
                .fromJson(Json.writeString(root));
    }
}
