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

    public static final List<String> ALL = List.of(VERSION_CREATED, DELETE_MARKER_CREATED, VERSION_DELETED,
            FILE_UNDELETED, STORAGE_CLASS_CHANGED, VERSION_RESTORED, TAGS_CHANGED, DERIVATIVES_ATTACHED,
            SHARE_CREATED, SHARE_REJECTED, SHARE_REVOKED, SHARE_OPENED, URL_ISSUED, FILE_RESTORED);

    private AuditTypes() {
    }
}
