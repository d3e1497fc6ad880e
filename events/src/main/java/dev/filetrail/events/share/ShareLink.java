package dev.filetrail.events.share;

import java.time.Instant;

/**
 * A share link's state, written compacted to {@code filetrail.share-links.v1} keyed by link id. Expiry is a
 * moment, checked by whoever reads the link, so the state need not change when it passes.
 */
public record ShareLink(
        String linkId,
        String bucket,
        String key,
        String tokenSha256,
        String pinnedVersionId,
        String resolvedVersionId,
        Status status,
        String statusReason,
        Instant expiresAt,
        String passwordHash,
        boolean allowDownload,
        String createdBy,
        Instant createdAt,
        Instant revokedAt,
        String revokedBy,
        long accessCount,
        Instant lastAccessAt,
        String lastCommandId,
        Instant updatedAt) {

    /** Life of a link: REJECTED at birth, ACTIVE until REVOKED or until its pinned version is deleted. */
    public enum Status { ACTIVE, REJECTED, REVOKED, VERSION_DELETED }

    public boolean followsLatest() {
        return pinnedVersionId == null;
    }

    /** Whether the link opens something at {@code now}: active, unexpired, and resolving to a version. */
    public boolean opensAt(Instant now) {
        return status == Status.ACTIVE && resolvedVersionId != null && (expiresAt == null || now.isBefore(expiresAt));
    }
}
