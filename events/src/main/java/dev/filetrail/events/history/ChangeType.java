package dev.filetrail.events.history;

/** The kinds of change one record of {@code filetrail.file-versions.v1} describes. */
public enum ChangeType {
    VERSION_CREATED,
    DELETE_MARKER_CREATED,
    VERSION_REMOVED,
    STORAGE_CLASS_CHANGED,
    RESTORE_CHANGED,
    TAGS_CHANGED,
    DERIVATIVES_ATTACHED
}
