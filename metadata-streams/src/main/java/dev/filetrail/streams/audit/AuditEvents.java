package dev.filetrail.streams.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filetrail.events.Json;
import dev.filetrail.events.access.AccessEvent;
import dev.filetrail.events.audit.AuditTypes;
import dev.filetrail.events.audit.CloudEvent;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.history.FileVersion;
import dev.filetrail.events.object.EventIds;
import dev.filetrail.events.schema.ContractSchemas;
import dev.filetrail.events.share.ShareLink;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the CloudEvents of the audit stream. Ids hash the cause's id, the type and what the fact is about, so a
 * replay of the same log writes the same ids and an audit consumer can drop what it already has.
 */
public final class AuditEvents {
    private final String source;

    public AuditEvents(String source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    public String source() {
        return source;
    }

    /** A fact about one version (or delete marker) of an object. */
    public CloudEvent versionFact(String type, String causeId, String bucket, String key, FileVersion version,
                                  FileHead headAfter, Instant time, ObjectNode extra) {
        ObjectNode data = Json.MAPPER.createObjectNode();
        data.put("bucket", bucket);
        data.put("key", key);
        if (version != null) {
            data.put("versionId", version.versionId());
            putIfPresent(data, "sequencer", version.sequencer());
            data.put("deleteMarker", version.deleteMarker());
            if (version.size() != null) {
                data.put("size", version.size());
            }
            putIfPresent(data, "eTag", version.eTag());
            putIfPresent(data, "storageClass", version.storageClass());
            putIfPresent(data, "requester", version.requester());
            if (version.createdAt() != null) {
                data.put("createdAt", version.createdAt().toString());
            }
        }
        if (headAfter != null) {
            data.put("fileDeleted", headAfter.deleted());
            putIfPresent(data, "currentVersionId", headAfter.currentVersionId());
        }
        if (extra != null) {
            data.setAll(extra);
        }
        String about = version == null ? "" : version.versionId();
        return event(type, causeId, about, bucket, key, time, data);
    }

    /**
     * A fact about a share link: created, rejected, revoked or opened, caused by the command or access event
     * {@code causeId}. Hashes and passwords never leave.
     */
    public CloudEvent linkFact(String type, String causeId, String actor, String clientAddress, ShareLink link,
                               Instant time) {
        ObjectNode data = Json.MAPPER.createObjectNode();
        data.put("linkId", link.linkId());
        data.put("bucket", link.bucket());
        data.put("key", link.key());
        putIfPresent(data, "pinnedVersionId", link.pinnedVersionId());
        putIfPresent(data, "resolvedVersionId", link.resolvedVersionId());
        data.put("status", link.status().name());
        putIfPresent(data, "reason", link.statusReason());
        if (link.expiresAt() != null) {
            data.put("expiresAt", link.expiresAt().toString());
        }
        data.put("allowDownload", link.allowDownload());
        data.put("passwordProtected", link.passwordHash() != null);
        putIfPresent(data, "actor", actor);
        putIfPresent(data, "clientAddress", clientAddress);
        // "commandId" for openings too: the field predates access events, and audit consumers key on it.
        data.put("commandId", causeId);
        if (type.equals(AuditTypes.SHARE_OPENED)) {
            data.put("accessCount", link.accessCount());
        }
        return event(type, causeId, link.linkId(), link.bucket(), link.key(), time, data);
    }

    /** The API signed a URL for a version (or its thumbnail). */
    public CloudEvent urlIssued(AccessEvent access, Instant time) {
        ObjectNode data = Json.MAPPER.createObjectNode();
        data.put("bucket", access.bucket());
        data.put("key", access.key());
        putIfPresent(data, "versionId", access.versionId());
        putIfPresent(data, "linkId", access.linkId());
        if (access.expiresAt() != null) {
            data.put("expiresAt", access.expiresAt().toString());
        }
        putIfPresent(data, "actor", access.actor());
        putIfPresent(data, "clientAddress", access.clientAddress());
        data.put("commandId", access.eventId());
        return event(AuditTypes.URL_ISSUED, access.eventId(), "", access.bucket(), access.key(), time, data);
    }

    /** True for the access events that are the API's own write actions and rewind jobs ({@link #apiAction}). */
    public static boolean isApiAction(AccessEvent.Type type) {
        return type == AccessEvent.Type.FILE_RESTORED || type == AccessEvent.Type.FILE_UNDELETED
                || type == AccessEvent.Type.FILE_DELETED || type.rewindJob();
    }

    /**
     * A write action of the API, with its key as the actor: {@code file.restored} (versionId is the new version,
     * restoredFrom the copied one), {@code file.undeleted} with {@code origin: api} (versionId is the removed
     * marker; S3's notification of the removal brings the other side of the same fact, origin s3-notification),
     * {@code file.deleted} (versionId is the marker a rewind placed), or a rewind job's start, stop, resume or finish
     * (key and subject are its prefix). A rewind's actions name it in {@code rewindId}.
     */
    public CloudEvent apiAction(AccessEvent access, Instant time) {
        AccessEvent.Type kind = access.type();
        ObjectNode data = Json.MAPPER.createObjectNode();
        data.put("bucket", access.bucket());
        data.put("key", access.key());
        AccessEvent.Rewind rewind = access.rewind();
        if (kind.rewindJob()) {
            if (rewind != null) {
                data.put("rewindId", rewind.id());
                data.put("prefix", rewind.prefix());
                putIfPresent(data, "to", rewind.to() == null ? null : rewind.to().toString());
                putCounts(data, "planned", rewind.planned());
                putCounts(data, "actions", rewind.actions());
            }
        } else {
            putIfPresent(data, "versionId", access.versionId());
            if (kind == AccessEvent.Type.FILE_RESTORED) {
                putIfPresent(data, "restoredFrom", access.restoredFrom());
            } else {
                data.put("deleteMarker", true);
            }
            if (rewind != null) {
                data.put("rewindId", rewind.id());
            }
        }
        putIfPresent(data, "actor", access.actor());
        putIfPresent(data, "clientAddress", access.clientAddress());
        data.put("commandId", access.eventId());
        data.put("origin", "api");
        return event(auditType(kind), access.eventId(), "", access.bucket(), access.key(), time, data);
    }

    private static String auditType(AccessEvent.Type kind) {
        return switch (kind) {
            case FILE_RESTORED -> AuditTypes.FILE_RESTORED;
            case FILE_UNDELETED -> AuditTypes.FILE_UNDELETED;
            case FILE_DELETED -> AuditTypes.FILE_DELETED;
            case REWIND_STARTED -> AuditTypes.REWIND_STARTED;
            case REWIND_STOPPED -> AuditTypes.REWIND_STOPPED;
            case REWIND_RESUMED -> AuditTypes.REWIND_RESUMED;
            case REWIND_FINISHED -> AuditTypes.REWIND_FINISHED;
            case URL_ISSUED, SHARE_OPENED -> throw new IllegalArgumentException(kind + " is not an API action");
        };
    }

    private static void putCounts(ObjectNode data, String field, Map<String, Long> counts) {
        if (counts != null) {
            ObjectNode node = data.putObject(field);
            counts.forEach((name, count) -> node.put(name, count == null ? 0L : count));
        }
    }

    private CloudEvent event(String type, String causeId, String about, String bucket, String key, Instant time,
                             ObjectNode data) {
        String id = EventIds.sha256Hex(causeId, type, about);
        return new CloudEvent(CloudEvent.SPEC_VERSION, id, source, type, bucket + "/" + key, time,
                CloudEvent.CONTENT_TYPE, ContractSchemas.dataschema(type), data);
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}
