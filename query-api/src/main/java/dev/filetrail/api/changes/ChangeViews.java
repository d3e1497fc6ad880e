package dev.filetrail.api.changes;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.filetrail.events.Json;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.history.FileVersion;
import java.time.Instant;
import java.util.List;

/** The feed's JSON answers. */
final class ChangeViews {
    private ChangeViews() {
    }

    /** One change: its kind, the version it is about (after it; as it was, for a removal) and the file after it. */
    record ChangeView(String change, String key, String versionId, Instant eventTime, VersionState version,
                      @JsonInclude(JsonInclude.Include.ALWAYS) FileState file) {
    }

    /** A version as the change left it. */
    record VersionState(String versionId, String sequencer, boolean deleteMarker, Long size, String eTag,
                        String storageClass, Instant createdAt, String contentType, FileVersion.Restore restore,
                        Instant tagsChangedAt, int thumbnailCount) {
    }

    /**
     * The file after the change: {@code exists} false once no version is left; {@code deleted} when its newest
     * entry is a delete marker. A file is in the listing exactly when it exists and is not deleted.
     */
    record FileState(boolean exists, boolean deleted, String currentVersionId, String latestVersionId, Long size,
                     String eTag, String contentType, String storageClass, Instant lastModified, long versionCount,
                     long deleteMarkerCount) {
    }

    /** A page of changes, the cursor after it, and whether more can be read at once. */
    record ChangePage(String bucket, String prefix, List<ChangeView> changes, String cursor, boolean hasMore) {
    }

    /** A cursor alone. */
    record CursorView(String cursor) {
    }

    /** A long-poll's answer: whether changes wait, and (under load) seconds to wait before the next long-poll. */
    record WaitAnswer(boolean changes, @JsonInclude(JsonInclude.Include.NON_NULL) Integer backoff) {
    }

    /** A stream ticket: the login of an {@code EventSource}, for this bucket and prefix, until it expires. */
    record TicketView(String ticket, Instant expiresAt, String streamPath) {
    }

    static ChangeView view(ChangeLog.Row row) {
        FileVersion v = row.version() == null ? null : Json.read(row.version(), FileVersion.class);
        FileHead h = row.head() == null ? null : Json.read(row.head(), FileHead.class);
        VersionState version = v == null ? null : new VersionState(v.versionId(), v.sequencer(), v.deleteMarker(),
                v.size(), v.eTag(), v.storageClass(), v.createdAt(),
                v.derivatives() == null ? null : v.derivatives().contentType(), v.restore(), v.tagsChangedAt(),
                v.derivatives() == null || v.derivatives().thumbnails() == null ? 0 : v.derivatives().thumbnails().size());
        FileState file = h == null ? null : new FileState(h.exists(), h.deleted(), h.currentVersionId(),
                h.latestVersionId(), h.size(), h.eTag(), h.contentType(), h.storageClass(), h.lastModified(),
                h.versionCount(), h.deleteMarkerCount());
        return new ChangeView(row.change(), row.key(), row.versionId(), row.eventTime(), version, file);
    }
}
