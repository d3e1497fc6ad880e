package dev.filetrail.events.audit;

import java.util.List;

/** Every CloudEvents {@code type} the audit stream carries. */
public final class AuditTypes {
    public static final String VERSION_CREATED = "dev.filetrail.version.created";
    public static final String DELETE_MARKER_CREATED = "dev.filetrail.delete-marker.created";
    public static final String VERSION_DELETED = "dev.filetrail.version.deleted";
    public static final String FILE_UNDELETED = "dev.filetrail.file.undeleted";
    public static final String STORAGE_CLASS_CHANGED = "dev.filetrail.version.storage-class-changed";
    public static final String VERSION_RESTORED = "dev.filetrail.version.restore-changed";
    public static final String TAGS_CHANGED = "dev.filetrail.version.tags-changed";
    public static final String DERIVATIVES_ATTACHED = "dev.filetrail.version.derivatives-attached";
    public static final String SHARE_CREATED = "dev.filetrail.share.created";
    public static final String SHARE_REJECTED = "dev.filetrail.share.rejected";
    public static final String SHARE_REVOKED = "dev.filetrail.share.revoked";
    public static final String SHARE_OPENED = "dev.filetrail.share.opened";
    public static final String URL_ISSUED = "dev.filetrail.url.issued";
    /** The API restored a version (copied it onto its key); S3's own notification then brings version.created. */
    public static final String FILE_RESTORED = "dev.filetrail.file.restored";
    /** A rewind placed a delete marker on a key that did not exist at its instant (S3's notification follows). */
    public static final String FILE_DELETED = "dev.filetrail.file.deleted";
    /** A rewind job was planned and started: its prefix, instant, actor and plan counts. */
    public static final String REWIND_STARTED = "dev.filetrail.rewind.started";
    /** A running rewind job was stopped between two actions (it can be resumed). */
    public static final String REWIND_STOPPED = "dev.filetrail.rewind.stopped";
    /** A stopped rewind job was resumed. */
    public static final String REWIND_RESUMED = "dev.filetrail.rewind.resumed";
    /** A rewind job ran its last action: how many were done and how many failed. */
    public static final String REWIND_FINISHED = "dev.filetrail.rewind.finished";

    public static final List<String> ALL = List.of(VERSION_CREATED, DELETE_MARKER_CREATED, VERSION_DELETED,
            FILE_UNDELETED, STORAGE_CLASS_CHANGED, VERSION_RESTORED, TAGS_CHANGED, DERIVATIVES_ATTACHED,
            SHARE_CREATED, SHARE_REJECTED, SHARE_REVOKED, SHARE_OPENED, URL_ISSUED, FILE_RESTORED, FILE_DELETED,
            REWIND_STARTED, REWIND_STOPPED, REWIND_RESUMED, REWIND_FINISHED);

    private AuditTypes() {
    }
}
