package dev.filetrail.lambda.s3event;

import dev.filetrail.events.Json;
import dev.filetrail.events.s3.MalformedMessageException;
import dev.filetrail.events.s3.S3Keys;
import dev.filetrail.events.s3.S3NotificationStreamingParser;
import dev.filetrail.events.s3.S3Record;
import dev.filetrail.lambda.source.SourceVersion;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The created versions an S3 event notification ({"Records":[...]}) names, read by the bridge's reader
 * ({@code events.s3}) and its key decoding; only which records count is the Lambdas' own rule.
 */
public final class S3Notifications {
    private static final Logger LOG = LoggerFactory.getLogger(S3Notifications.class);
    static final S3NotificationStreamingParser READER = new S3NotificationStreamingParser(Json.MAPPER.getFactory());
    private static final String TEST_EVENT = "s3:TestEvent";
    private static final String TAGGING = "ObjectTagging:";

    private S3Notifications() {
    }

    /**
     * The {@code ObjectCreated:*} records of one notification. {@code s3:TestEvent} (which has no Records),
     * removals, tagging, restores and lifecycle records yield nothing: only a new version has pixels to process.
     *
     * @throws MalformedNotificationException when the text is not an S3 notification at all
     */
    public static List<SourceVersion> createdVersions(String json) {
        return versions(json, false);
    }

    /**
     * The {@code ObjectCreated:*} and {@code ObjectTagging:*} records of one notification (the metadata Lambda
     * reads a version's tags for both); each names its eventName, so the caller can tell them apart.
     *
     * @throws MalformedNotificationException when the text is not an S3 notification at all
     */
    public static List<SourceVersion> createdAndTaggedVersions(String json) {
        return versions(json, true);
    }

    /** Whether a version returned by {@link #createdAndTaggedVersions} comes from a tagging record. */
    public static boolean isTagging(SourceVersion version) {
        return version.eventName() != null && version.eventName().startsWith(TAGGING);
    }

    private static List<SourceVersion> versions(String json, boolean tagging) {
        if (!(READER.scan(json) instanceof S3NotificationStreamingParser.Records read)) {
            throw new MalformedNotificationException("not an S3 notification (Records of objects, or S3's test "
                    + "event): " + excerpt(json));
        }
        if (read.records().isEmpty() && !TEST_EVENT.equals(read.event())) {
            throw new MalformedNotificationException("S3 notification has neither Records nor Event");
        }
        List<SourceVersion> created = new ArrayList<>();
        for (S3Record record : read.records()) {
            String eventName = record.eventName() == null ? "" : record.eventName();
            if (!eventName.startsWith("ObjectCreated:") && !(tagging && eventName.startsWith(TAGGING))) {
                continue;
            }
            String eventVersion = record.eventVersion() == null ? "" : record.eventVersion();
            if (!eventVersion.isEmpty() && !eventVersion.startsWith("2.") && !eventVersion.equals("2")) {
                LOG.warn("skipping S3 record of unsupported eventVersion {} ({})", eventVersion, eventName);
                continue;
            }
            if (record.bucket() == null || record.key() == null) {
                throw new MalformedNotificationException("S3 record " + eventName + " lacks bucket or key");
            }
            created.add(new SourceVersion(record.bucket(), decodeKey(record.key()), emptyAsNull(record.versionId()),
                    record.size(), emptyAsNull(record.eTag()), emptyAsNull(record.sequencer()), eventName));
        }
        return created;
    }

    /** S3 form-URL-encodes keys in notifications: {@code +} is a space and {@code %2B} a plus. */
    private static String decodeKey(String rawKey) {
        try {
            return S3Keys.decode(rawKey);
        } catch (MalformedMessageException e) {
            throw new MalformedNotificationException(e.getMessage(), e);
        }
    }

    private static String emptyAsNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }

    private static String excerpt(String json) {
        if (json == null) {
            return "no text";
        }
        return json.length() <= 100 ? json : json.substring(0, 100) + "…";
    }
}
