package dev.filetrail.local.s3notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filetrail.events.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** Writes S3 event notification JSON exactly in AWS's format (eventVersion 2.1, 2.3 for tagging; form-URL-encoded keys). */
public final class S3EventJson {
    private final String region;
    private final String principalId;

    public S3EventJson(String region, String principalId) {
        this.region = region;
        this.principalId = principalId;
    }

    /** The body S3 publishes for one change: {@code {"Records":[ ... ]}}. */
    public String notification(S3Change change, String configurationId) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode record = root.putArray("Records").addObject();
        // S3 writes 2.3 for tagging (and lifecycle, ACL, restore) events, 2.1 for puts and deletes.
        record.put("eventVersion", change.eventName().startsWith("ObjectTagging:") ? "2.3" : "2.1");
        record.put("eventSource", "aws:s3");
        record.put("awsRegion", region);
        record.put("eventTime", DateTimeFormatter.ISO_INSTANT.format(change.eventTime().truncatedTo(ChronoUnit.MILLIS)));
        record.put("eventName", change.eventName());
        record.putObject("userIdentity").put("principalId", principalId);
        record.putObject("requestParameters").put("sourceIPAddress", "127.0.0.1");
        ObjectNode response = record.putObject("responseElements");
        response.put("x-amz-request-id", UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase());
        response.put("x-amz-id-2", UUID.randomUUID().toString());
        ObjectNode s3 = record.putObject("s3");
        s3.put("s3SchemaVersion", "1.0");
        s3.put("configurationId", configurationId);
        ObjectNode bucket = s3.putObject("bucket");
        bucket.put("name", change.bucket());
        bucket.putObject("ownerIdentity").put("principalId", principalId);
        bucket.put("arn", "arn:aws:s3:::" + change.bucket());
        ObjectNode object = s3.putObject("object");
        object.put("key", encodeKey(change.key()));
        if (change.size() != null) {
            object.put("size", change.size());
        }
        if (change.eTag() != null) {
            object.put("eTag", change.eTag());
        }
        if (change.versionId() != null) {
            object.put("versionId", change.versionId());
        }
        if (change.sequencer() != null) {
            object.put("sequencer", change.sequencer());
        }
        return Json.writeString(root);
    }

    /** S3 form-URL-encodes keys in notifications: a space becomes '+', '/' stays as it is. */
    public static String encodeKey(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/");
    }
}
