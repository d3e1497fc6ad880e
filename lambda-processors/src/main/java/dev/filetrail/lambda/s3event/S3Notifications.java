package dev.filetrail.lambda.s3event;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.events.Json;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Parses S3's event notification JSON ({"Records":[...]}) into the created versions the processors work on. */
public final class S3Notifications {
    private static final Logger LOG = LoggerFactory.getLogger(S3Notifications.class);

    private S3Notifications() {
    }

    /**
     * The {@code ObjectCreated:*} records of one notification. {@code s3:TestEvent} (which has no Records),
     * removals, tagging, restores and lifecycle records yield nothing: only a new version has pixels to process.
     *
     * @throws MalformedNotificationException when the text is not an S3 notification at all
     */
    public static List<SourceVersion> createdVersions(String json) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new MalformedNotificationException("S3 notification is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new MalformedNotificationException("S3 notification is not a JSON object");
        }
        JsonNode records = root.get("Records");
        if (records == null) {
            if ("s3:TestEvent".equals(root.path("Event").asText())) {
                return List.of();
            }
            throw new MalformedNotificationException("S3 notification has neither Records nor Event");
        }
        if (!records.isArray()) {
            throw new MalformedNotificationException("S3 notification Records is not an array");
        }
        List<SourceVersion> created = new ArrayList<>();
        for (JsonNode record : records) {
            String eventName = record.path("eventName").asText("");
            if (!eventName.startsWith("ObjectCreated:")) {
                continue;
            }
            String eventVersion = record.path("eventVersion").asText("");
            if (!eventVersion.isEmpty() && !eventVersion.startsWith("2.") && !eventVersion.equals("2")) {
                LOG.warn("skipping S3 record of unsupported eventVersion {} ({})", eventVersion, eventName);
                continue;
            }
            JsonNode s3 = record.path("s3");
            String bucket = s3.path("bucket").path("name").asText(null);
            String rawKey = s3.path("object").path("key").asText(null);
            if (bucket == null || rawKey == null) {
                throw new MalformedNotificationException("S3 record " + eventName + " lacks bucket or key");
            }
            JsonNode object = s3.path("object");
            created.add(new SourceVersion(
                    bucket,
                    decodeKey(rawKey),
                    textOrNull(object.get("versionId")),
                    object.hasNonNull("size") ? object.get("size").asLong() : null,
                    textOrNull(object.get("eTag")),
                    textOrNull(object.get("sequencer")),
                    eventName));
        }
        return created;
    }

    /** S3 form-URL-encodes keys in notifications: {@code +} is a space and {@code %2B} a plus. */
    public static String decodeKey(String rawKey) {
        return URLDecoder.decode(rawKey, StandardCharsets.UTF_8);
    }

    private static String textOrNull(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        String text = node.asText();
        return text.isEmpty() ? null : text;
    }
}
