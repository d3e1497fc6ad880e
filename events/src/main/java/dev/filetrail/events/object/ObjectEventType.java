package dev.filetrail.events.object;

/** What an S3 event did to one object version, independent of which S3 event name said it. */
public enum ObjectEventType {
    VERSION_CREATED,
    /** A version (or an unversioned object, or a delete marker) is permanently gone. */
    VERSION_REMOVED,
    DELETE_MARKER_CREATED,
    STORAGE_CLASS_CHANGED,
    RESTORE_INITIATED,
    RESTORE_COMPLETED,
    /** The temporary restored copy expired; the archived version stays. */
    RESTORE_EXPIRED,
    TAGS_PUT,
    TAGS_DELETED,
    ACL_PUT,
    REPLICATION,
    UNKNOWN;

    /** Maps an S3 {@code eventName} (without the {@code s3:} prefix) to its type; unknown names stay UNKNOWN. */
    public static ObjectEventType fromEventName(String eventName) {
        if (eventName == null) {
            return UNKNOWN;
        }
        String name = eventName.startsWith("s3:") ? eventName.substring(3) : eventName;
        if (name.startsWith("ObjectCreated:")) {
            return VERSION_CREATED;
        }
        return switch (name) {
            case "ObjectRemoved:Delete", "LifecycleExpiration:Delete" -> VERSION_REMOVED;
            case "ObjectRemoved:DeleteMarkerCreated", "LifecycleExpiration:DeleteMarkerCreated" -> DELETE_MARKER_CREATED;
            case "LifecycleTransition", "IntelligentTiering" -> STORAGE_CLASS_CHANGED;
            case "ObjectRestore:Post" -> RESTORE_INITIATED;
            case "ObjectRestore:Completed" -> RESTORE_COMPLETED;
            case "ObjectRestore:Delete" -> RESTORE_EXPIRED;
            case "ObjectTagging:Put" -> TAGS_PUT;
            case "ObjectTagging:Delete" -> TAGS_DELETED;
            case "ObjectAcl:Put" -> ACL_PUT;
            default -> name.startsWith("Replication:") ? REPLICATION : UNKNOWN;
        };
    }

    /** Whether S3 stamps this kind of event with a sequencer (only PUTs and DELETEs). */
    public boolean carriesSequencer() {
        return this == VERSION_CREATED || this == VERSION_REMOVED || this == DELETE_MARKER_CREATED;
    }
}
