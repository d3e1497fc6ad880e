package dev.filetrail.streams.shares;

import dev.filetrail.events.Topics;
import dev.filetrail.events.access.AccessEvent;
import dev.filetrail.events.audit.AuditTypes;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.share.ShareCommand;
import dev.filetrail.events.share.ShareLink;
import dev.filetrail.streams.BadInputException;
import dev.filetrail.streams.Emitter;
import dev.filetrail.streams.audit.AuditEvents;
import dev.filetrail.streams.history.HistoryListener;
import dev.filetrail.streams.history.StoreKeys;
import dev.filetrail.streams.history.StoredVersion;
import dev.filetrail.streams.history.VersionStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share-link state machine: decides create commands against the object's history in the same task, and keeps
 * every link's resolved version in step with that history. Links are stored under {@code bucket/key NUL linkId}.
 */
public final class ShareLinks implements HistoryListener {
    public static final String LINKS = "links";
    private static final Logger log = LoggerFactory.getLogger(ShareLinks.class);
    private static final StringSerializer KEYS = new StringSerializer();

    /** What became of one command. */
    public enum Outcome { APPLIED, REJECTED, IGNORED }

    private final KeyValueStore<String, ShareLink> links;
    private final VersionStore versions;
    private final Emitter out;
    private final AuditEvents audit;

    public ShareLinks(KeyValueStore<String, ShareLink> links, VersionStore versions, Emitter out, AuditEvents audit) {
        this.links = links;
        this.versions = versions;
        this.out = out;
        this.audit = audit;
    }

    /** Refuses a command the state machine can never apply, before anything is written for it. */
    public static void check(ShareCommand command) {
        if (command.type() == null) {
            throw new BadInputException("share command has no type");
        }
        if (command.type() != ShareCommand.Type.URL_ISSUED && (command.linkId() == null || command.linkId().isBlank())) {
            throw new BadInputException(command.type() + " command has no linkId");
        }
    }

    /** Refuses an access event the state machine can never apply, before anything is written for it. */
    public static void check(AccessEvent event) {
        if (event.type() == null) {
            throw new BadInputException("access event has no type");
        }
        if (event.type() == AccessEvent.Type.SHARE_OPENED && (event.linkId() == null || event.linkId().isBlank())) {
            throw new BadInputException(event.type() + " access event has no linkId");
        }
    }

    public Outcome apply(ShareCommand command, Instant recordTime) {
        check(command);
        if (command.type() == ShareCommand.Type.URL_ISSUED || command.type() == ShareCommand.Type.RECORD_ACCESS) {
            return apply(legacyAccess(command), recordTime);
        }
        Instant time = command.issuedAt() != null ? command.issuedAt() : recordTime;
        String objectKey = command.recordKey();
        String storeKey = StoreKeys.member(objectKey, command.linkId());
        ShareLink existing = links.get(storeKey);
        return switch (command.type()) {
            case CREATE -> create(command, objectKey, storeKey, existing, time);
            case REVOKE -> revoke(command, storeKey, existing, time);
            case RECORD_ACCESS, URL_ISSUED -> throw new IllegalStateException("handled above");
        };
    }

    public Outcome apply(AccessEvent event, Instant recordTime) {
        check(event);
        Instant time = event.occurredAt() != null ? event.occurredAt() : recordTime;
        if (event.type() == AccessEvent.Type.URL_ISSUED) {
            out.audit(audit.urlIssued(event, time));
            return Outcome.APPLIED;
        }
        if (AuditEvents.isApiAction(event.type())) {
            // The API's own writes and rewind jobs: audited here beside the URLs it issues; S3's notifications change
            // the history.
            out.audit(audit.apiAction(event, time));
            return Outcome.APPLIED;
        }
        String storeKey = StoreKeys.member(event.recordKey(), event.linkId());
        return access(event, storeKey, links.get(storeKey), time);
    }

    /**
     * A share command of the kind the API wrote before access events had their topic, as the access event it
     * stands for: the command's id becomes the event's, so its outputs (ids included) are the ones it had.
     */
    static AccessEvent legacyAccess(ShareCommand c) {
        AccessEvent.Type type = c.type() == ShareCommand.Type.URL_ISSUED ? AccessEvent.Type.URL_ISSUED
                : AccessEvent.Type.SHARE_OPENED;
        return new AccessEvent(c.commandId(), type, c.linkId(), c.bucket(), c.key(), c.versionId(), c.expiresAt(),
                c.actor(), c.clientAddress(), c.issuedAt());
    }

    /** The link as stored, or null. */
    public ShareLink find(String bucket, String key, String linkId) {
        return links.get(StoreKeys.member(Topics.objectKey(bucket, key), linkId));
    }

    private Outcome create(ShareCommand c, String objectKey, String storeKey, ShareLink existing, Instant time) {
        if (existing != null) {
            log.info("share link exists, create ignored linkId={} bucket={} key={}", c.linkId(), c.bucket(), c.key());
            return Outcome.IGNORED;
        }
        String pinned = c.versionId() == null || c.versionId().isBlank() ? null : c.versionId();
        String reason = null;
        String resolved = null;
        if (c.tokenSha256() == null || c.tokenSha256().isBlank()) {
            reason = "tokenSha256 is required";
        } else if (pinned != null) {
            StoredVersion version = versions.find(objectKey, pinned);
            if (version == null) {
                reason = "version " + pinned + " of " + objectKey + " does not exist";
            } else if (version.version().deleteMarker()) {
                reason = "version " + pinned + " of " + objectKey + " is a delete marker";
            } else {
                resolved = pinned;
            }
        } else {
            FileHead head = versions.head(objectKey);
            if (head == null || !head.exists()) {
                reason = objectKey + " does not exist";
            } else if (head.deleted()) {
                reason = objectKey + " is deleted";
            } else {
                resolved = head.currentVersionId();
            }
        }
        ShareLink link = new ShareLink(c.linkId(), c.bucket(), c.key(), c.tokenSha256(), pinned, resolved,
                reason == null ? ShareLink.Status.ACTIVE : ShareLink.Status.REJECTED, reason, c.expiresAt(),
                c.passwordHash(), c.allowDownload() == null || c.allowDownload(), c.actor(), time, null, null, 0,
                null, c.commandId(), time);
        links.put(storeKey, link);
        versions.linkAdded(objectKey);
        out.link(link);
        out.audit(audit.linkFact(reason == null ? AuditTypes.SHARE_CREATED : AuditTypes.SHARE_REJECTED, c.commandId(),
                c.actor(), c.clientAddress(), link, time));
        log.info("share link {} linkId={} bucket={} key={} versionId={} reason={}", link.status(), c.linkId(),
                c.bucket(), c.key(), pinned, reason);
        return reason == null ? Outcome.APPLIED : Outcome.REJECTED;
    }

    private Outcome revoke(ShareCommand c, String storeKey, ShareLink link, Instant time) {
        if (link == null || link.status() == ShareLink.Status.REJECTED || link.status() == ShareLink.Status.REVOKED) {
            log.info("revoke ignored linkId={} bucket={} key={} status={}", c.linkId(), c.bucket(), c.key(),
                    link == null ? "unknown" : link.status());
            return Outcome.IGNORED;
        }
        ShareLink revoked = new ShareLink(link.linkId(), link.bucket(), link.key(), link.tokenSha256(),
                link.pinnedVersionId(), link.resolvedVersionId(), ShareLink.Status.REVOKED, "revoked by " + c.actor(),
                link.expiresAt(), link.passwordHash(), link.allowDownload(), link.createdBy(), link.createdAt(), time,
                c.actor(), link.accessCount(), link.lastAccessAt(), c.commandId(), time);
        links.put(storeKey, revoked);
        out.link(revoked);
        out.audit(audit.linkFact(AuditTypes.SHARE_REVOKED, c.commandId(), c.actor(),
                c.clientAddress(), revoked, time));
        return Outcome.APPLIED;
    }

    private Outcome access(AccessEvent c, String storeKey, ShareLink link, Instant time) {
        if (link == null || link.status() == ShareLink.Status.REJECTED) {
            log.info("access on unknown or rejected link ignored linkId={} bucket={} key={}", c.linkId(), c.bucket(),
                    c.key());
            return Outcome.IGNORED;
        }
        Instant last = link.lastAccessAt() == null || time.isAfter(link.lastAccessAt()) ? time : link.lastAccessAt();
        ShareLink opened = new ShareLink(link.linkId(), link.bucket(), link.key(), link.tokenSha256(),
                link.pinnedVersionId(), link.resolvedVersionId(), link.status(), link.statusReason(),
                link.expiresAt(), link.passwordHash(), link.allowDownload(), link.createdBy(), link.createdAt(),
                link.revokedAt(), link.revokedBy(), link.accessCount() + 1, last, c.eventId(), time);
        links.put(storeKey, opened);
        out.link(opened);
        out.audit(audit.linkFact(AuditTypes.SHARE_OPENED, c.eventId(), c.actor(), c.clientAddress(),
                opened, time));
        return Outcome.APPLIED;
    }

    @Override
    public void currentChanged(String objectKey, FileHead before, FileHead after, Instant at, String causeId) {
        String resolved = after.deleted() ? null : after.currentVersionId();
        for (var entry : linksOf(objectKey)) {
            ShareLink link = entry.link();
            if (link.status() == ShareLink.Status.ACTIVE && link.followsLatest()
                    && !java.util.Objects.equals(link.resolvedVersionId(), resolved)) {
                update(entry.storeKey(), link, resolved, link.status(), link.statusReason(), at);
            }
        }
    }

    @Override
    public void versionRemoved(String objectKey, String versionId, Instant at, String causeId) {
        for (var entry : linksOf(objectKey)) {
            ShareLink link = entry.link();
            if (link.status() == ShareLink.Status.ACTIVE && versionId.equals(link.pinnedVersionId())) {
                update(entry.storeKey(), link, null, ShareLink.Status.VERSION_DELETED,
                        "version " + versionId + " was permanently deleted", at);
            }
        }
    }

    private void update(String storeKey, ShareLink link, String resolved, ShareLink.Status status, String reason,
                        Instant at) {
        ShareLink updated = new ShareLink(link.linkId(), link.bucket(), link.key(), link.tokenSha256(),
                link.pinnedVersionId(), resolved, status, reason, link.expiresAt(), link.passwordHash(),
                link.allowDownload(), link.createdBy(), link.createdAt(), link.revokedAt(), link.revokedBy(),
                link.accessCount(), link.lastAccessAt(), link.lastCommandId(), at);
        links.put(storeKey, updated);
        out.link(updated);
        log.debug("share link updated linkId={} bucket={} key={} resolvedVersionId={} status={}", link.linkId(),
                link.bucket(), link.key(), resolved, status);
    }

    private record Entry(String storeKey, ShareLink link) {
    }

    private List<Entry> linksOf(String objectKey) {
        if (!versions.hasLinks(objectKey)) {
            // Most objects never get a link: the summary's count spares every version change a scan.
            return List.of();
        }
        List<Entry> found = new ArrayList<>();
        try (KeyValueIterator<String, ShareLink> it = links.prefixScan(StoreKeys.prefix(objectKey), KEYS)) {
            it.forEachRemaining(kv -> found.add(new Entry(kv.key, kv.value)));
        }
        return found;
    }
}
