package dev.filetrail.api.files;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.filetrail.api.http.ApiProblem;
import dev.filetrail.api.http.Cursor;
import dev.filetrail.api.http.JsonBody;
import dev.filetrail.api.http.ObjectPath;
import dev.filetrail.api.http.Requests;
import dev.filetrail.events.history.ChangeType;
import dev.filetrail.events.history.FileVersion;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET …/versions/{versionId}/events}: one version's own timeline, oldest first, from the change feed's rows
 * (each applied history record, kept CHANGES_RETENTION). Each entry names its kind and what that change says:
 * created, storage class, archive restore, tags (with the values once read), derivatives (and the version a restore
 * copied), removal (with the reason), as the version stood after it.
 */
public final class VersionTimeline {
    private final FileReads queries;

    public VersionTimeline(FileReads queries) {
        this.queries = queries;
    }

    /**
     * One entry. {@code type}: created, delete-marker-created, storage-class-changed, restore-changed, tags-changed,
     * derivatives-attached, removed. A tags-changed entry without {@code tags} is S3's tagging event itself, read
     * before its values were: the values come in the tags-changed entry of the read it caused.
     */
    public record VersionEvent(String type, Instant at, Long size, String eTag, String storageClass, String requester,
                               FileVersion.Restore restore, Map<String, String> tags, Instant tagsFetchedAt,
                               String contentType, Integer thumbnailCount, String failureReason, String restoredFrom,
                               String removedReason) {
    }

    /** A page of a version's timeline, oldest first. */
    public record VersionEventPage(String bucket, String key, String versionId, List<VersionEvent> events,
                                   @JsonInclude(JsonInclude.Include.ALWAYS) String nextCursor) {
    }

    void handle(Context ctx, ObjectPath path) {
        int limit = Requests.limit(ctx);
        String kind = "version-events:" + path.bucket() + "/" + path.key() + "/" + path.versionId();
        List<String> cursor = Cursor.decode(ctx.queryParam("cursor"), kind, 2);
        int afterPartition = -1;
        long afterOffset = -1;
        if (cursor != null) {
            try {
                afterPartition = Integer.parseInt(cursor.get(0));
                afterOffset = Long.parseLong(cursor.get(1));
            } catch (NumberFormatException e) {
                throw ApiProblem.badRequest("cursor is not one of this timeline");
            }
        }
        FileQueries.VersionRow version = queries.versionInAnyState(path.bucket(), path.key(), path.versionId())
                .orElseThrow(() -> ApiProblem.notFound("no version " + path.versionId() + " of " + path.key()
                        + " in bucket " + path.bucket()));
        List<FileQueries.VersionChangeRow> rows = queries.versionChanges(path.bucket(), path.key(), path.versionId(),
                afterPartition, afterOffset, limit + 1);
        String next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            FileQueries.VersionChangeRow last = rows.get(limit - 1);
            next = Cursor.encode(kind, Integer.toString(last.partition()), Long.toString(last.offset()));
        }
        List<VersionEvent> events = rows.stream().map(r -> event(r, version)).toList();
        JsonBody.write(ctx, new VersionEventPage(path.bucket(), path.key(), path.versionId(), events, next));
    }

    private static VersionEvent event(FileQueries.VersionChangeRow row, FileQueries.VersionRow current) {
        ChangeType change = ChangeType.valueOf(row.change());
        FileVersion v = row.version();
        FileVersion.Derivatives d = v == null ? null : v.derivatives();
        String type = switch (change) {
            case VERSION_CREATED -> "created";
            case VERSION_REMOVED -> "removed";
            default -> change.name().toLowerCase(Locale.ROOT).replace('_', '-');
        };
        return switch (change) {
            case VERSION_CREATED, DELETE_MARKER_CREATED -> new VersionEvent(type, row.at(), v.size(), v.eTag(),
                    v.storageClass(), v.requester(), null, null, null, null, null, null, null, null);
            case STORAGE_CLASS_CHANGED -> new VersionEvent(type, row.at(), null, null, v.storageClass(), null, null,
                    null, null, null, null, null, null, null);
            case RESTORE_CHANGED -> new VersionEvent(type, row.at(), null, null, null, null, v.restore(), null, null,
                    null, null, null, null, null);
            case TAGS_CHANGED -> new VersionEvent(type, row.at(), null, null, null, null, null, v.tags(),
                    v.tags() == null ? null : v.tagsFetchedAt(), null, null, null, null, null);
            case DERIVATIVES_ATTACHED -> new VersionEvent(type, row.at(), null, null, null, null, null, v.tags(),
                    v.tags() == null ? null : v.tagsFetchedAt(), d == null ? null : d.contentType(),
                    d == null || d.thumbnails() == null ? 0 : d.thumbnails().size(),
                    d == null ? null : d.failureReason(), d == null ? null : d.restoredFrom(), null);
            // The record carries the version as it was; why it went is on the row (a version is removed once).
            case VERSION_REMOVED -> new VersionEvent(type, row.at(), null, null, null, null, null, null, null, null,
                    null, null, null, current.removedReason());
        };
    }
}
