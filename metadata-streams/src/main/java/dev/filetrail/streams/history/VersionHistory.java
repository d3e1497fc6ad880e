package dev.filetrail.streams.history;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filetrail.events.Json;
import dev.filetrail.events.audit.AuditTypes;
import dev.filetrail.events.history.ChangeType;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.history.FileVersion;
import dev.filetrail.events.history.FileVersionChange;
import dev.filetrail.events.object.EventIds;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventType;
import dev.filetrail.events.object.Sequencer;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.streams.BadInputException;
import dev.filetrail.streams.Emitter;
import dev.filetrail.streams.audit.AuditEvents;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The version-history rules: places each fact about an object where S3's order says it belongs, keeps the head,
 * and emits one history record and one audit event per change. The outcome of a set of facts does not depend on
 * the order they arrive in (see the module README for the rules and their limits).
 */
public final class VersionHistory {
    private static final Logger log = LoggerFactory.getLogger(VersionHistory.class);

    /** What became of one input. */
    public enum Outcome {
        APPLIED,
        /** The fact was already known (a re-delivery under another id, or a backfill of a live version). */
        SAME_FACT,
        /** The version it names is not known yet; it waits for it. */
        PARKED,
        /** Superseded or about a version already removed; nothing changes. */
        STALE,
        /** A kind of event history does not track (ACL, replication). */
        IGNORED
    }

    private final VersionStore store;
    private final Emitter out;
    private final AuditEvents audit;
    private final HistoryListener listener;

    public VersionHistory(VersionStore store, Emitter out, AuditEvents audit, HistoryListener listener) {
        this.store = store;
        this.out = out;
        this.audit = audit;
        this.listener = listener;
    }

    /** Refuses an event these rules can never apply, before anything is written for it. */
    public static void check(ObjectEvent event) {
        if (event.sequencer() != null && !Sequencer.isValid(event.sequencer())) {
            throw new BadInputException("invalid sequencer '" + event.sequencer() + "'");
        }
        if (event.type() == null) {
            throw new BadInputException("event has no type");
        }
        if (event.type() == ObjectEventType.STORAGE_CLASS_CHANGED && event.storageClass() == null) {
            throw new BadInputException("storage class change without a storage class");
        }
    }

    /** Refuses a result these rules can never apply, before anything is written for it. */
    public static void check(ProcessingResult result) {
        if (result.thumbnails() != null && result.thumbnails().stream().anyMatch(Objects::isNull)) {
            throw new BadInputException("processing result lists a null thumbnail");
        }
    }

    /** Applies one object event; {@code recordTime} stands in for a missing eventTime. */
    public Outcome apply(ObjectEvent event, Instant recordTime) {
        check(event);
        Instant time = event.eventTime() != null ? event.eventTime() : recordTime;
        return switch (event.type()) {
            case VERSION_CREATED -> create(event, false, time);
            case DELETE_MARKER_CREATED -> create(event, true, time);
            case VERSION_REMOVED -> remove(event, time);
            case STORAGE_CLASS_CHANGED, RESTORE_INITIATED, RESTORE_COMPLETED, RESTORE_EXPIRED, TAGS_PUT, TAGS_DELETED ->
                    amend(event, time);
            case ACL_PUT, REPLICATION, UNKNOWN -> Outcome.IGNORED;
        };
    }

    /** Attaches a processing result to the version it names (or parks it until that version arrives). */
    public Outcome apply(ProcessingResult result, Instant recordTime) {
        String objectKey = result.recordKey();
        String versionId = versionOrNull(result.versionId());
        Instant time = result.processedAt() != null ? result.processedAt() : recordTime;
        boolean tagsOnly = ProcessingResult.TAGS.equals(result.processor());
        if (tagsOnly && (result.tags() == null || result.tagsFetchedAt() == null)) {
            // The Lambda found the version gone when it read its tags: its removal reaches history on its own.
            return Outcome.IGNORED;
        }
        VersionRef ref = store.ref(objectKey, versionId);
        if (ref == null) {
            store.park(objectKey, versionId, time, "r:" + result.resultId(), null, result);
            log.debug("result parked bucket={} key={} versionId={} resultId={}", result.bucket(), result.key(),
                    versionId, result.resultId());
            return Outcome.PARKED;
        }
        if (ref.removed()) {
            return Outcome.STALE;
        }
        FileHead before = store.head(objectKey);
        StoredVersion stored = store.find(objectKey, ref, versionId);
        if (tagsOnly) {
            return applyTags(result, objectKey, ref, before, stored);
        }
        FileVersion version = newerTags(stored.version().withDerivatives(merge(stored.version().derivatives(),
                result)), result);
        store.update(objectKey, ref, stored.with(version, stored.storageClassChangedAt()));
        FileHead after = afterAmend(result.bucket(), result.key(), objectKey, before, version);
        emitChange(ChangeType.DERIVATIVES_ATTACHED, result.resultId(), version, before, after, time);
        ObjectNode extra = Json.MAPPER.createObjectNode();
        extra.put("processor", result.processor());
        extra.put("status", result.status() == null ? null : result.status().name());
        putIfPresent(extra, "contentType", result.contentType());
        if (result.width() != null) {
            extra.put("width", result.width());
        }
        if (result.height() != null) {
            extra.put("height", result.height());
        }
        putIfPresent(extra, "sha256", result.sha256());
        if (result.thumbnails() != null) {
            extra.put("thumbnailCount", result.thumbnails().size());
            var keys = extra.putArray("thumbnailKeys");
            result.thumbnails().forEach(t -> keys.add(t.bucket() + "/" + t.key()));
        }
        if (result.exif() != null && result.exif().captureTime() != null) {
            extra.put("captureTime", result.exif().captureTime().toString());
        }
        putIfPresent(extra, "failureReason", result.failureReason());
        out.audit(audit.versionFact(AuditTypes.DERIVATIVES_ATTACHED, result.resultId(), result.bucket(), result.key(),
                version, after, time, extra));
        notifyCurrent(objectKey, before, after, time, result.resultId());
        return Outcome.APPLIED;
    }

    /**
     * A read of the version's tags. S3 answers GetObjectTagging with the tags as they are when asked, so the read
     * asked last knows the most: an earlier read that arrives later changes nothing. A change is recorded only when
     * the tags differ from the ones shown (or none were known), so a repeated read of the same tags is silent.
     */
    private Outcome applyTags(ProcessingResult result, String objectKey, VersionRef ref, FileHead before,
                              StoredVersion stored) {
        FileVersion version = newerTags(stored.version(), result);
        if (version == stored.version()) {
            log.debug("older tag read dropped bucket={} key={} versionId={} fetchedAt={} shownFetchedAt={}",
                    result.bucket(), result.key(), version.versionId(), result.tagsFetchedAt(),
                    version.tagsFetchedAt());
            return Outcome.STALE;
        }
        store.update(objectKey, ref, stored.with(version, stored.storageClassChangedAt()));
        if (version.tags().equals(stored.version().tags())) {
            return Outcome.SAME_FACT;
        }
        Instant at = result.tagsFetchedAt();
        FileHead after = afterAmend(result.bucket(), result.key(), objectKey, before, version);
        emitChange(ChangeType.TAGS_CHANGED, result.resultId(), version, before, after, at);
        ObjectNode extra = Json.MAPPER.createObjectNode();
        extra.put("operation", "fetched");
        ObjectNode tags = extra.putObject("tags");
        version.tags().forEach(tags::put);
        extra.put("tagsFetchedAt", at.toString());
        out.audit(audit.versionFact(AuditTypes.TAGS_CHANGED, result.resultId(), result.bucket(), result.key(),
                version, after, at, extra));
        return Outcome.APPLIED;
    }

    /** {@code version} with the result's tags when the result read them after the tags it shows were read. */
    private static FileVersion newerTags(FileVersion version, ProcessingResult result) {
        if (result.tags() == null || result.tagsFetchedAt() == null) {
            return version;
        }
        if (version.tagsFetchedAt() != null && !result.tagsFetchedAt().isAfter(version.tagsFetchedAt())) {
            return version;
        }
        return version.withTags(result.tags(), result.tagsFetchedAt());
    }

    private Outcome create(ObjectEvent event, boolean marker, Instant time) {
        String objectKey = event.recordKey();
        String versionId = event.versionOrNull();
        VersionRef ref = store.ref(objectKey, versionId);
        StoredVersion replaced = null;
        if (ref != null && !ref.removed()) {
            StoredVersion existing = store.find(objectKey, ref, versionId);
            if (!replacesNullEntry(versionId, event, existing.version())) {
                return Outcome.SAME_FACT;
            }
            replaced = existing;
            store.drop(objectKey, ref.order(), versionId);
        } else if (ref != null) {
            if (!(ObjectEvent.NULL_VERSION.equals(versionId) && newer(event.sequencer(), ref.removedSequencer()))) {
                log.debug("creation after its removal dropped bucket={} key={} versionId={}", event.bucket(),
                        event.key(), versionId);
                return Outcome.STALE;
            }
        }
        FileHead before = store.head(objectKey);
        String order = VersionStore.order(event.sequencer(), time);
        FileVersion version = new FileVersion(event.bucket(), event.key(), versionId, event.sequencer(), marker,
                marker ? null : event.size(), marker ? null : event.eTag(),
                marker ? null : (event.storageClass() == null ? "STANDARD" : event.storageClass()),
                time, event.requester(), event.eventId(), null, null, null);
        store.put(objectKey, order, new StoredVersion(version, null, event.eventName()));
        long versionDelta = marker ? 0 : 1;
        long markerDelta = marker ? 1 : 0;
        if (replaced != null) {
            versionDelta -= replaced.version().deleteMarker() ? 0 : 1;
            markerDelta -= replaced.version().deleteMarker() ? 1 : 0;
        }
        FileHead after;
        // The summary keeps the newest entry's order, so placing the new one needs no lookup.
        String latestOrder = replaced != null || before == null ? null : store.latestOrder(objectKey);
        if (before == null || !before.exists()) {
            after = storeHead(event.bucket(), event.key(), objectKey, before, versionDelta, markerDelta, version,
                    order);
        } else if (latestOrder != null && order.compareTo(latestOrder) > 0) {
            after = storeHead(event.bucket(), event.key(), objectKey, before, versionDelta, markerDelta, version,
                    order);
        } else {
            after = recompute(event.bucket(), event.key(), objectKey, before, versionDelta, markerDelta);
        }
        ChangeType change = marker ? ChangeType.DELETE_MARKER_CREATED : ChangeType.VERSION_CREATED;
        emitChange(change, event.eventId(), version, before, after, time);
        ObjectNode extra = eventExtra(event);
        out.audit(audit.versionFact(marker ? AuditTypes.DELETE_MARKER_CREATED : AuditTypes.VERSION_CREATED,
                event.eventId(), event.bucket(), event.key(), version, after, time, extra));
        log.debug("{} bucket={} key={} versionId={} sequencer={}", change, event.bucket(), event.key(), versionId,
                event.sequencer());
        notifyCurrent(objectKey, before, after, time, event.eventId());
        applyParked(objectKey, versionId);
        return Outcome.APPLIED;
    }

    private Outcome remove(ObjectEvent event, Instant time) {
        String objectKey = event.recordKey();
        String versionId = event.versionOrNull();
        VersionRef ref = store.ref(objectKey, versionId);
        if (ref == null) {
            if (event.sequencer() == null) {
                return park(event, objectKey, versionId, time);
            }
            // The removal overtook the creation: remember it so the creation, when it comes, is not resurrected.
            store.markRemoved(objectKey, versionId, event.sequencer());
            store.discardParked(objectKey, versionId);
            return Outcome.APPLIED;
        }
        if (ref.removed()) {
            if (ObjectEvent.NULL_VERSION.equals(versionId) && newer(event.sequencer(), ref.removedSequencer())) {
                store.markRemoved(objectKey, versionId, event.sequencer());
            }
            return Outcome.SAME_FACT;
        }
        StoredVersion existing = store.find(objectKey, ref, versionId);
        FileVersion version = existing.version();
        if (event.sequencer() != null && version.sequencer() != null
                && Sequencer.compare(event.sequencer(), version.sequencer()) < 0) {
            // Only the reused "null" version can see this: a delete of an older incarnation.
            return Outcome.STALE;
        }
        FileHead before = store.head(objectKey);
        store.remove(objectKey, ref.order(), versionId,
                event.sequencer() != null ? event.sequencer() : version.sequencer());
        long versionDelta = version.deleteMarker() ? 0 : -1;
        long markerDelta = version.deleteMarker() ? -1 : 0;
        FileHead after;
        if (before != null && before.latestVersionId() != null && !versionId.equals(before.latestVersionId())) {
            // Not the newest entry: the head keeps its version, only the counts move.
            after = new FileHead(before.bucket(), before.key(), before.deleted(), before.currentVersionId(),
                    before.versionCount() + versionDelta, before.deleteMarkerCount() + markerDelta, before.size(),
                    before.eTag(), before.contentType(), before.storageClass(), before.lastModified(),
                    before.latestVersionId());
            store.putHead(objectKey, after, store.latestOrder(objectKey));
        } else {
            after = recompute(event.bucket(), event.key(), objectKey, before, versionDelta, markerDelta);
        }
        // A lifecycle expiration names itself in the event; whether it was the current version, the head before it.
        String reason = event.eventName() == null || !event.eventName().contains("LifecycleExpiration")
                ? FileVersionChange.DELETED
                : before != null && versionId.equals(before.currentVersionId()) ? FileVersionChange.LIFECYCLE_EXPIRATION
                : FileVersionChange.NONCURRENT_EXPIRATION;
        emitChange(ChangeType.VERSION_REMOVED, event.eventId(), version, before, after, time, reason);
        out.audit(audit.versionFact(AuditTypes.VERSION_DELETED, event.eventId(), event.bucket(), event.key(), version,
                after, time, eventExtra(event)));
        if (before != null && before.deleted() && !after.deleted()) {
            out.audit(audit.versionFact(AuditTypes.FILE_UNDELETED, event.eventId(), event.bucket(), event.key(),
                    version, after, time, eventExtra(event)));
        }
        int discarded = store.discardParked(objectKey, versionId);
        log.debug("version removed bucket={} key={} versionId={} discardedParked={}", event.bucket(), event.key(),
                versionId, discarded);
        listener.versionRemoved(objectKey, versionId, time, event.eventId());
        notifyCurrent(objectKey, before, after, time, event.eventId());
        return Outcome.APPLIED;
    }

    private Outcome amend(ObjectEvent event, Instant time) {
        String objectKey = event.recordKey();
        String versionId = event.versionOrNull();
        VersionRef ref = store.ref(objectKey, versionId);
        if (ref == null) {
            return park(event, objectKey, versionId, time);
        }
        if (ref.removed()) {
            return Outcome.STALE;
        }
        FileHead before = store.head(objectKey);
        StoredVersion stored = store.find(objectKey, ref, versionId);
        FileVersion version = stored.version();
        Instant classAt = stored.storageClassChangedAt();
        ChangeType change;
        String auditType;
        ObjectNode extra = eventExtra(event);
        switch (event.type()) {
            case STORAGE_CLASS_CHANGED -> {
                // Transitions carry no sequencer: the newest eventTime wins, whatever the arrival order.
                if (classAt == null || !time.isBefore(classAt)) {
                    version = version.withStorageClass(event.storageClass());
                    classAt = time;
                }
                extra.put("toStorageClass", event.storageClass());
                change = ChangeType.STORAGE_CLASS_CHANGED;
                auditType = AuditTypes.STORAGE_CLASS_CHANGED;
            }
            case RESTORE_INITIATED, RESTORE_COMPLETED, RESTORE_EXPIRED -> {
                FileVersion.Restore current = version.restore();
                if (current == null || current.updatedAt() == null || !time.isBefore(current.updatedAt())) {
                    String status = switch (event.type()) {
                        case RESTORE_INITIATED -> FileVersion.Restore.IN_PROGRESS;
                        case RESTORE_COMPLETED -> FileVersion.Restore.COMPLETED;
                        default -> FileVersion.Restore.EXPIRED;
                    };
                    Instant expires = event.restoreExpiryTime() != null ? event.restoreExpiryTime()
                            : current == null ? null : current.expiresAt();
                    String restoreClass = event.restoreStorageClass() != null ? event.restoreStorageClass()
                            : current == null ? null : current.storageClass();
                    version = version.withRestore(new FileVersion.Restore(status, expires, restoreClass, time));
                }
                extra.put("restoreEvent", event.type().name());
                if (event.restoreExpiryTime() != null) {
                    extra.put("restoreExpiresAt", event.restoreExpiryTime().toString());
                }
                change = ChangeType.RESTORE_CHANGED;
                auditType = AuditTypes.VERSION_RESTORED;
            }
            default -> {
                if (version.tagsChangedAt() == null || time.isAfter(version.tagsChangedAt())) {
                    version = version.withTagsChangedAt(time);
                }
                // Tags changed after the last read of them: what was read is no longer known to be current, so
                // none are shown (null) until the read this event causes (made after it) arrives.
                if (version.tags() != null && !version.tagsFetchedAt().isAfter(time)) {
                    version = version.withTags(null, version.tagsFetchedAt());
                }
                extra.put("operation", event.type() == dev.filetrail.events.object.ObjectEventType.TAGS_PUT
                        ? "put" : "delete");
                change = ChangeType.TAGS_CHANGED;
                auditType = AuditTypes.TAGS_CHANGED;
            }
        }
        store.update(objectKey, ref, stored.with(version, classAt));
        FileHead after = afterAmend(event.bucket(), event.key(), objectKey, before, version);
        emitChange(change, event.eventId(), version, before, after, time);
        out.audit(audit.versionFact(auditType, event.eventId(), event.bucket(), event.key(), version, after, time,
                extra));
        return Outcome.APPLIED;
    }

    private Outcome park(ObjectEvent event, String objectKey, String versionId, Instant time) {
        store.park(objectKey, versionId, time, "e:" + event.eventId(), event, null);
        log.debug("event parked bucket={} key={} versionId={} type={}", event.bucket(), event.key(), versionId,
                event.type());
        return Outcome.PARKED;
    }

    private void applyParked(String objectKey, String versionId) {
        List<Parked> items = store.unpark(objectKey, versionId);
        for (Parked item : items) {
            if (item.event() != null) {
                apply(item.event(), item.time());
            } else {
                apply(item.result(), item.time());
            }
        }
    }

    /** The unversioned "null" entry is replaced by a newer PUT or DELETE of it; any other repeat is the same fact. */
    private static boolean replacesNullEntry(String versionId, ObjectEvent event, FileVersion existing) {
        if (!ObjectEvent.NULL_VERSION.equals(versionId)) {
            return false;
        }
        if (existing.sequencer() == null && event.sequencer() != null) {
            // A backfilled "null" entry meeting its live event: same fact if it is the same content.
            return !Objects.equals(existing.eTag(), event.eTag());
        }
        return newer(event.sequencer(), existing.sequencer());
    }

    private static boolean newer(String candidate, String than) {
        return candidate != null && (than == null || Sequencer.compare(candidate, than) > 0);
    }

    /** The head after a change: counts adjusted by the deltas, everything else from the newest entry (one seek). */
    private FileHead recompute(String bucket, String key, String objectKey, FileHead before, long versionDelta,
                               long markerDelta) {
        VersionStore.Newest newest = store.newest(objectKey);
        return storeHead(bucket, key, objectKey, before, versionDelta, markerDelta,
                newest == null ? null : newest.version().version(), newest == null ? null : newest.order());
    }

    /** The head when the newest entry is already known (saves the reverse seek on the common paths). */
    private FileHead storeHead(String bucket, String key, String objectKey, FileHead before, long versionDelta,
                               long markerDelta, FileVersion newest, String newestOrder) {
        long versions = (before == null ? 0 : before.versionCount()) + versionDelta;
        long markers = (before == null ? 0 : before.deleteMarkerCount()) + markerDelta;
        FileHead head;
        if (newest == null) {
            head = new FileHead(bucket, key, true, null, 0, 0, null, null, null, null, null, null);
        } else {
            // The same rule the store reads an object's head back by (its newest entry and counts).
            head = VersionStore.headOf(newest, versions, markers);
        }
        if (!head.equals(before) || !java.util.Objects.equals(newestOrder, store.latestOrder(objectKey))) {
            store.putHead(objectKey, head, newestOrder);
        }
        return head;
    }

    /** The head after a change to one existing version that did not move the newest entry. */
    private FileHead afterAmend(String bucket, String key, String objectKey, FileHead before, FileVersion changed) {
        if (before != null && changed.versionId().equals(before.latestVersionId())) {
            return storeHead(bucket, key, objectKey, before, 0, 0, changed, store.latestOrder(objectKey));
        }
        return before != null ? before : recompute(bucket, key, objectKey, null, 0, 0);
    }

    private void emitChange(ChangeType change, String causeId, FileVersion version, FileHead before, FileHead after,
                            Instant time) {
        emitChange(change, causeId, version, before, after, time, null);
    }

    private void emitChange(ChangeType change, String causeId, FileVersion version, FileHead before, FileHead after,
                            Instant time, String removalReason) {
        String changeId = EventIds.sha256Hex(causeId, change.name(), version.versionId());
        out.versionChange(new FileVersionChange(changeId, change, version.bucket(), version.key(),
                version.versionId(), version, after, causeId, time, removalReason));
        if (!Objects.equals(before, after)) {
            String objectKey = dev.filetrail.events.Topics.objectKey(version.bucket(), version.key());
            out.head(objectKey, after.exists() ? after : null);
        }
    }

    private void notifyCurrent(String objectKey, FileHead before, FileHead after, Instant time, String causeId) {
        boolean beforeDeleted = before == null || before.deleted();
        String beforeCurrent = before == null ? null : before.currentVersionId();
        if (beforeDeleted != after.deleted() || !Objects.equals(beforeCurrent, after.currentVersionId())) {
            listener.currentChanged(objectKey, before, after, time, causeId);
        }
    }

    private static FileVersion.Derivatives merge(FileVersion.Derivatives d, ProcessingResult r) {
        boolean failed = r.status() == ProcessingResult.Status.FAILED;
        String earlier = d == null ? null : d.failureReason();
        // A processor that succeeds after failing (a retry, `filetrail reprocess --include-failed`) clears its own
        // failure; another processor's failure stays.
        boolean ownFailureCured = r.status() == ProcessingResult.Status.SUCCEEDED && earlier != null
                && earlier.startsWith(r.processor() + ": ");
        String failure = failed ? r.processor() + ": " + r.failureReason() : ownFailureCured ? null : earlier;
        return new FileVersion.Derivatives(
                first(r.contentType(), d == null ? null : d.contentType()),
                first(r.width(), d == null ? null : d.width()),
                first(r.height(), d == null ? null : d.height()),
                first(r.sha256(), d == null ? null : d.sha256()),
                first(r.exif(), d == null ? null : d.exif()),
                r.thumbnails() != null && !r.thumbnails().isEmpty() ? List.copyOf(r.thumbnails())
                        : d == null ? null : d.thumbnails(),
                failure,
                first(r.restoredFrom(), d == null ? null : d.restoredFrom()));
    }

    private static <T> T first(T a, T b) {
        return a != null ? a : b;
    }

    private static ObjectNode eventExtra(ObjectEvent event) {
        ObjectNode extra = Json.MAPPER.createObjectNode();
        putIfPresent(extra, "eventName", event.eventName());
        putIfPresent(extra, "sourceIp", event.sourceIp());
        putIfPresent(extra, "region", event.region());
        if (event.origin() != null) {
            putIfPresent(extra, "origin", event.origin().source());
        }
        return extra;
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    static String versionOrNull(String versionId) {
        return versionId == null || versionId.isEmpty() ? ObjectEvent.NULL_VERSION : versionId;
    }
}
