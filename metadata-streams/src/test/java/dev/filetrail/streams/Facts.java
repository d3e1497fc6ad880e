package dev.filetrail.streams;

import dev.filetrail.events.object.EventIds;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventType;
import dev.filetrail.events.object.Origin;
import dev.filetrail.events.processing.ExifData;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.events.processing.Thumbnail;
import dev.filetrail.events.share.ShareCommand;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Builds the inputs tests feed the topology, the way ingest-bridge and query-api write them. */
public final class Facts {
    public static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

    private Facts() {
    }

    public static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    public static ObjectEvent event(ObjectEventType type, String eventName, String bucket, String key,
                                    String versionId, String sequencer, Instant time, Long size, String eTag,
                                    String storageClass, String originSource) {
        String id = EventIds.objectEventId(bucket, key, versionId, sequencer, eventName, time);
        return new ObjectEvent(id, bucket, key, versionId, sequencer, type, eventName, size, eTag, storageClass, time,
                "us-east-1", "AWS:AIDAEXAMPLE", "203.0.113.9", null, null, Origin.of(originSource), time);
    }

    public static ObjectEvent put(String bucket, String key, String versionId, String sequencer, Instant time) {
        return event(ObjectEventType.VERSION_CREATED, "ObjectCreated:Put", bucket, key, versionId, sequencer, time,
                100L + (sequencer == null ? 0 : sequencer.length()), "etag-" + versionId + "-" + sequencer, null,
                Origin.S3_NOTIFICATION);
    }

    public static ObjectEvent backfill(String bucket, String key, String versionId, Instant lastModified) {
        return event(ObjectEventType.VERSION_CREATED, "ObjectCreated:Put", bucket, key, versionId, null,
                lastModified, 42L, "etag-" + versionId, "STANDARD", Origin.BACKFILL);
    }

    public static ObjectEvent marker(String bucket, String key, String versionId, String sequencer, Instant time) {
        return event(ObjectEventType.DELETE_MARKER_CREATED, "ObjectRemoved:DeleteMarkerCreated", bucket, key,
                versionId, sequencer, time, null, null, null, Origin.S3_NOTIFICATION);
    }

    public static ObjectEvent remove(String bucket, String key, String versionId, String sequencer, Instant time) {
        return event(ObjectEventType.VERSION_REMOVED, "ObjectRemoved:Delete", bucket, key, versionId, sequencer,
                time, null, null, null, Origin.S3_NOTIFICATION);
    }

    public static ObjectEvent expire(String bucket, String key, String versionId, String sequencer, Instant time) {
        return event(ObjectEventType.VERSION_REMOVED, "LifecycleExpiration:Delete", bucket, key, versionId, sequencer,
                time, null, null, null, Origin.S3_NOTIFICATION);
    }

    public static ObjectEvent transition(String bucket, String key, String versionId, String storageClass,
                                         Instant time) {
        return event(ObjectEventType.STORAGE_CLASS_CHANGED, "LifecycleTransition", bucket, key, versionId, null, time,
                null, null, storageClass, Origin.S3_NOTIFICATION);
    }

    public static ObjectEvent tags(String bucket, String key, String versionId, boolean put, Instant time) {
        return event(put ? ObjectEventType.TAGS_PUT : ObjectEventType.TAGS_DELETED,
                put ? "ObjectTagging:Put" : "ObjectTagging:Delete", bucket, key, versionId, null, time, null,
                null, null, Origin.S3_NOTIFICATION);
    }

    public static ObjectEvent restore(String bucket, String key, String versionId, ObjectEventType type,
                                      Instant time, Instant expiry) {
        String name = switch (type) {
            case RESTORE_INITIATED -> "ObjectRestore:Post";
            case RESTORE_COMPLETED -> "ObjectRestore:Completed";
            default -> "ObjectRestore:Delete";
        };
        ObjectEvent e = event(type, name, bucket, key, versionId, null, time, null, null, null,
                Origin.S3_NOTIFICATION);
        return new ObjectEvent(e.eventId(), bucket, key, versionId, null, type, name, null, null, null, time,
                e.region(), e.requester(), e.sourceIp(), expiry, expiry == null ? null : "STANDARD", e.origin(),
                time);
    }

    public static ProcessingResult thumbnails(String bucket, String key, String versionId, Instant at) {
        return new ProcessingResult("thumb-" + bucket + key + versionId, ProcessingResult.THUMBNAILER, bucket, key,
                versionId, ProcessingResult.Status.SUCCEEDED, null, "image/jpeg", 640, 480, 1000L, null, null,
                List.of(new Thumbnail(256, 256, 192, "image/jpeg", "derivatives", "t/" + key + "/256.jpg", 900)),
                at);
    }

    public static ProcessingResult metadata(String bucket, String key, String versionId, Instant at) {
        return new ProcessingResult("meta-" + bucket + key + versionId, ProcessingResult.METADATA, bucket, key,
                versionId, ProcessingResult.Status.SUCCEEDED, null, "image/jpeg", 640, 480, 1000L, "abc123",
                new ExifData(at.minusSeconds(3600), "Canon", "EOS", 1, 52.1, 4.3), null, at);
    }

    /** The metadata Lambda's answer to a tagging event: the version's tags as S3 had them at {@code fetchedAt}. */
    public static ProcessingResult tagRead(String bucket, String key, String versionId, Map<String, String> tags,
                                           Instant fetchedAt) {
        return new ProcessingResult("tags-" + bucket + key + versionId + fetchedAt + tags, ProcessingResult.TAGS,
                bucket, key, versionId, ProcessingResult.Status.SUCCEEDED, null, null, null, null, null, null, null,
                null, fetchedAt.plusMillis(5)).withTags(tags, fetchedAt);
    }

    public static ShareCommand createLink(String commandId, String linkId, String bucket, String key,
                                          String pinnedVersion, Instant at) {
        return new ShareCommand(commandId, ShareCommand.Type.CREATE, linkId, bucket, key, "sha-" + linkId,
                pinnedVersion, at.plusSeconds(86400), null, true, "alice", "198.51.100.7", at);
    }

    public static ShareCommand command(ShareCommand.Type type, String commandId, String linkId, String bucket,
                                       String key, Instant at) {
        return new ShareCommand(commandId, type, linkId, bucket, key, null, null, null, null, null, "alice",
                "198.51.100.7", at);
    }
}
