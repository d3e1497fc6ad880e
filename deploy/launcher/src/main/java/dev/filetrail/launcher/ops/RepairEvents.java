package dev.filetrail.launcher.ops;

import dev.filetrail.events.object.EventIds;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventType;
import dev.filetrail.events.object.Origin;
import java.time.Instant;
import java.util.Optional;

/**
 * The ObjectEvent that repairs one difference, with origin {@code reconcile}. Ids hash only what the difference
 * says (never the time of the run), so repairing the same drift twice yields the same ids, which readers drop.
 */
public final class RepairEvents {
    public static final String CREATED = "Reconcile:VersionCreated";
    public static final String MARKER_CREATED = "Reconcile:DeleteMarkerCreated";
    public static final String REMOVED = "Reconcile:VersionRemoved";
    public static final String STORAGE_CLASS = "Reconcile:StorageClassChanged";

    private final String region;

    public RepairEvents(String region) {
        this.region = region;
    }

    /**
     * The repairing event, or empty for a difference no event fixes by itself (a wrong current version) or at all
     * (a row in the wrong shard).
     */
    public Optional<ObjectEvent> repair(Difference d, Instant now) {
        return switch (d.kind()) {
            case MISSING_VERSION -> Optional.of(created(d));
            case EXTRA_VERSION -> Optional.of(event(d, ObjectEventType.VERSION_REMOVED, REMOVED,
                    EventIds.objectEventId(d.bucket(), d.key(), d.versionId(), null, REMOVED, null),
                    null, null, null, now));
            case WRONG_STORAGE_CLASS -> {
                String to = d.s3().effectiveStorageClass();
                // The class change wins by eventTime, so it is stamped now: later than the fact it corrects.
                String idName = STORAGE_CLASS + ":" + d.filetrail().effectiveStorageClass() + ">" + to;
                yield Optional.of(event(d, ObjectEventType.STORAGE_CLASS_CHANGED, STORAGE_CLASS,
                        EventIds.objectEventId(d.bucket(), d.key(), d.versionId(), null, idName, null),
                        null, null, to, now));
            }
            case WRONG_CURRENT_VERSION, WRONG_SHARD -> Optional.empty();
        };
    }

    private ObjectEvent created(Difference d) {
        ObjectEntry s3 = d.s3();
        boolean marker = s3.deleteMarker();
        String name = marker ? MARKER_CREATED : CREATED;
        // Like backfill: no sequencer (a listing has none), placed by LastModified.
        return event(d, marker ? ObjectEventType.DELETE_MARKER_CREATED : ObjectEventType.VERSION_CREATED, name,
                EventIds.objectEventId(d.bucket(), d.key(), d.versionId(), null, name, s3.lastModified()),
                marker ? null : s3.size(), marker ? null : s3.eTag(), marker ? null : s3.effectiveStorageClass(),
                s3.lastModified());
    }

    private ObjectEvent event(Difference d, ObjectEventType type, String eventName, String eventId, Long size,
                              String eTag, String storageClass, Instant eventTime) {
        return new ObjectEvent(eventId, d.bucket(), d.key(), d.versionId(), null, type, eventName, size, eTag,
                storageClass, eventTime, region, null, null, null, null, Origin.of(Origin.RECONCILE), Instant.now());
    }
}
