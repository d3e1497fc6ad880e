package dev.filetrail.streams.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filetrail.events.Json;
import dev.filetrail.events.audit.AuditTypes;
import dev.filetrail.events.audit.CloudEvent;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.history.FileVersion;
import dev.filetrail.events.object.EventIds;
import dev.filetrail.events.share.ShareCommand;
import dev.filetrail.events.share.ShareLink;
import java.time.Instant;
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

    /** A fact about a share link: created, rejected, revoked or opened. Hashes and passwords never leave. */
    public CloudEvent linkFact(String type, ShareCommand command, ShareLink link, Instant time) {
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
        putIfPresent(data, "actor", command.actor());
        putIfPresent(data, "clientAddress", command.clientAddress());
        data.put("commandId", command.commandId());
        if (type.equals(AuditTypes.SHARE_OPENED)) {
            data.put("accessCount", link.accessCount());
        }
        return event(type, command.commandId(), link.linkId(), link.bucket(), link.key(), time, data);
    }

    /** The API signed a URL for a version (or its thumbnail). */
    public CloudEvent urlIssued(ShareCommand command, Instant time) {
        ObjectNode data = Json.MAPPER.createObjectNode();
        data.put("bucket", command.bucket());
        data.put("key", command.key());
        putIfPresent(data, "versionId", command.versionId());
        putIfPresent(data, "linkId", command.linkId());
        if (command.expiresAt() != null) {
            data.put("expiresAt", command.expiresAt().toString());
        }
        putIfPresent(data, "actor", command.actor());
        putIfPresent(data, "clientAddress", command.clientAddress());
        data.put("commandId", command.commandId());
        return event(AuditTypes.URL_ISSUED, command.commandId(), "", command.bucket(), command.key(), time, data);
    }

    private CloudEvent event(String type, String causeId, String about, String bucket, String key, Instant time,
                             ObjectNode data) {
        String id = EventIds.sha256Hex(causeId, type, about);
        return new CloudEvent(CloudEvent.SPEC_VERSION, id, source, type, bucket + "/" + key, time,
                CloudEvent.CONTENT_TYPE, data);
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}
