package dev.filetrail.launcher.reprocess;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filetrail.events.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * The event a processor is invoked with for one version: what SNS hands a subscribed Lambda (an {@code SNSEvent}
 * whose message is S3's {@code ObjectCreated:Put} notification in AWS's JSON), so the handlers take the same path as
 * for a live upload. The message is not signed: SNS signs what it delivers, and the handlers do not check it.
 */
public final class NotificationEvents {
    /** Names the synthetic notifications in logs and in the notification's own fields. */
    public static final String PRINCIPAL = "filetrail-reprocess";
    private static final String NULL_VERSION = "null";

    private final String region;
    private final String topicArn;

    public NotificationEvents(String region, String topicArn) {
        this.region = region;
        this.topicArn = topicArn;
    }

    /** The invocation payload for {@code version} of {@code bucket}, made at {@code now} by job {@code jobId}. */
    public String lambdaEvent(String jobId, String bucket, Candidate version, Processor processor, Instant now) {
        String timestamp = DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.MILLIS));
        ObjectNode sns = Json.MAPPER.createObjectNode();
        sns.put("Type", "Notification");
        // Stable per job, version and processor: a resent invocation is recognisable as the same message.
        sns.put("MessageId", UUID.nameUUIDFromBytes((jobId + "\n" + bucket + "\n" + version.key() + "\n"
                + version.versionId() + "\n" + processor.label()).getBytes(StandardCharsets.UTF_8)).toString());
        sns.put("TopicArn", topicArn);
        sns.put("Subject", "Amazon S3 Notification");
        sns.put("Message", s3Notification(jobId, bucket, version, timestamp));
        sns.put("Timestamp", timestamp);
        sns.put("SignatureVersion", "1");
        sns.put("Signature", "");
        sns.put("SigningCertUrl", "");
        sns.put("UnsubscribeUrl", "");
        sns.putObject("MessageAttributes");
        ObjectNode record = Json.MAPPER.createObjectNode();
        record.put("EventSource", "aws:sns");
        record.put("EventVersion", "1.0");
        record.put("EventSubscriptionArn", topicArn + ":" + PRINCIPAL);
        record.set("Sns", sns);
        ObjectNode event = Json.MAPPER.createObjectNode();
        event.putArray("Records").add(record);
        return Json.writeString(event);
    }

    /** S3's notification body for the version, eventVersion 2.1, the key form-URL-encoded as S3 sends it. */
    String s3Notification(String jobId, String bucket, Candidate version, String eventTime) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode record = root.putArray("Records").addObject();
        record.put("eventVersion", "2.1");
        record.put("eventSource", "aws:s3");
        record.put("awsRegion", region);
        record.put("eventTime", eventTime);
        record.put("eventName", "ObjectCreated:Put");
        record.putObject("userIdentity").put("principalId", PRINCIPAL);
        record.putObject("requestParameters").put("sourceIPAddress", "127.0.0.1");
        record.putObject("responseElements");
        ObjectNode s3 = record.putObject("s3");
        s3.put("s3SchemaVersion", "1.0");
        s3.put("configurationId", PRINCIPAL + ":" + jobId);
        ObjectNode bucketNode = s3.putObject("bucket");
        bucketNode.put("name", bucket);
        bucketNode.putObject("ownerIdentity").put("principalId", PRINCIPAL);
        bucketNode.put("arn", "arn:aws:s3:::" + bucket);
        ObjectNode object = s3.putObject("object");
        object.put("key", encodeKey(version.key()));
        if (version.size() != null) {
            object.put("size", version.size());
        }
        if (version.eTag() != null) {
            object.put("eTag", version.eTag());
        }
        // An unversioned bucket's objects carry no versionId in S3's notifications (the read model says "null").
        if (version.versionId() != null && !version.versionId().equals(NULL_VERSION)) {
            object.put("versionId", version.versionId());
        }
        if (version.sequencer() != null) {
            object.put("sequencer", version.sequencer());
        }
        return Json.writeString(root);
    }

    /** S3 form-URL-encodes keys in notifications: a space is '+', '/' stays. */
    static String encodeKey(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/");
    }
}
