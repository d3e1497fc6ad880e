package dev.filetrail.api.files;

import static io.javalin.apibuilder.ApiBuilder.get;
import static io.javalin.apibuilder.ApiBuilder.path;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.access.AccessEvents;
import dev.filetrail.api.StoredKey;
import dev.filetrail.api.http.ApiProblem;
import dev.filetrail.api.http.Authorizer;
import dev.filetrail.api.http.ObjectPath;
import dev.filetrail.api.http.ClientAddress;
import dev.filetrail.api.http.Cursor;
import dev.filetrail.api.http.JsonBody;
import dev.filetrail.api.http.Requests;
import dev.filetrail.api.keys.ApiKeys;
import dev.filetrail.api.keys.Scope;
import dev.filetrail.api.urls.CloudFrontSigner;
import dev.filetrail.events.history.FileVersion;
import dev.filetrail.events.processing.ExifData;
import dev.filetrail.events.processing.Thumbnail;
import io.javalin.apibuilder.EndpointGroup;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The file routes: listing by prefix, one file, its version history, and signed URLs for versions and thumbnails. */
public final class FileRoutes implements EndpointGroup {
    private final FileReads queries;
    private final CloudFrontSigner signer;
    /** Where a URL issuance is recorded for the audit trail (sent without waiting). */
    private final AccessEvents access;
    private final ApiConfig config;
    /** The serialised answers of the file and history routes, dropped on the projection's notices. */
    private final FileAnswerCache answers;
    private final VersionTimeline timeline;

    public FileRoutes(FileReads queries, CloudFrontSigner signer, AccessEvents access, ApiConfig config,
                      FileAnswerCache answers) {
        this.queries = queries;
        this.signer = signer;
        this.access = access;
        this.config = config;
        this.answers = answers;
        this.timeline = new VersionTimeline(queries);
    }

    /**
     * Registers the routes, each with the scope it needs. The paths under a file are matched from the end, as
     * {@link ObjectPath} reads them, so the longest come first and the file itself last.
     */
    @Override
    public void addEndpoints() {
        path("/v1/buckets/{bucket}/files", () -> {
            get(this::list, Scope.READ);
            get(ObjectPath.KEY + "/versions/{versionId}/thumbnails/{size}/url",
                    ObjectPath.to(ObjectPath.Target.THUMBNAIL_URL, this::thumbnailUrl), Scope.READ);
            get(ObjectPath.KEY + "/versions/{versionId}/url",
                    ObjectPath.to(ObjectPath.Target.VERSION_URL, this::versionUrl), Scope.READ);
            get(ObjectPath.KEY + "/versions/{versionId}/events",
                    ObjectPath.to(ObjectPath.Target.VERSION_EVENTS, timeline::handle), Scope.READ);
            get(ObjectPath.KEY + "/thumbnails/{size}/url",
                    ObjectPath.to(ObjectPath.Target.THUMBNAIL_URL, this::thumbnailUrl), Scope.READ);
            get(ObjectPath.KEY + "/versions", ObjectPath.to(ObjectPath.Target.VERSIONS, this::versions), Scope.READ);
        });
    }

    /** The route of a file itself, which matches every path under it: registered after all the others. */
    public EndpointGroup fileItself() {
        return () -> get("/v1/buckets/{bucket}/files/" + ObjectPath.KEY,
                ObjectPath.to(ObjectPath.Target.FILE, this::file), Scope.READ);
    }

    /** One listed file. */
    public record FileSummary(String key, Long size, String contentType, String eTag, String storageClass,
                              Instant lastModified, String currentVersionId, long versionCount) {
    }

    /** A page of a listing. */
    public record FileListing(String bucket, String prefix, List<FileSummary> files,
                              @JsonInclude(JsonInclude.Include.ALWAYS) String nextCursor) {
    }

    /** A thumbnail of the current version, with the route that signs its URL. */
    public record ThumbnailView(int size, int width, int height, String contentType, long bytes, String urlPath) {
    }

    /** What the processors extracted from the current version. */
    public record Metadata(String contentType, Integer width, Integer height, String sha256, ExifData exif,
                           String failureReason) {
    }

    /** One file with its current version. */
    public record FileDetails(String bucket, String key, boolean deleted, String currentVersionId,
                              String latestVersionId, Long size, String contentType, String eTag, String storageClass,
                              Instant lastModified, long versionCount, long deleteMarkerCount,
                              List<ThumbnailView> thumbnails, Metadata metadata, Map<String, String> tags) {
    }

    /**
     * One entry of a version history; {@code restoredFrom} names the version this one is a restored copy of (the
     * metadata processor reads it from the object's metadata, so it appears once that processor has run).
     * {@code tags}: the version's S3 tags as read at {@code tagsFetchedAt} ({} when none); absent while unknown.
     */
    public record VersionView(String versionId, String sequencer, boolean deleteMarker, Long size, String eTag,
                              String storageClass, Instant createdAt, String requester, String contentType,
                              FileVersion.Restore restore, Instant tagsChangedAt, int thumbnailCount,
                              String restoredFrom, Removed removed, Map<String, String> tags, Instant tagsFetchedAt) {
    }

    /** A history entry S3 no longer has: when it went and why ({@code deleted}, {@code lifecycle-expiration},
     * {@code noncurrent-expiration}). */
    public record Removed(Instant at, String reason) {
    }

    /** A page of history, newest first. */
    public record VersionPage(String bucket, String key, List<VersionView> versions,
                              @JsonInclude(JsonInclude.Include.ALWAYS) String nextCursor) {
    }

    /** A signed URL. */
    public record SignedUrlView(String bucket, String key, String versionId, Integer thumbnailSize, String url,
                                Instant expiresAt) {
    }

    private void list(Context ctx) {
        String bucket = Requests.bucket(ctx.pathParam("bucket"));
        String prefix = scopedPrefix(Authorizer.caller(ctx), bucket, Requests.prefix(ctx.queryParam("prefix")));
        int limit = Requests.limit(ctx);
        Instant asOf = Requests.instant(ctx, "asOf");
        if (asOf != null) {
            listAsOf(ctx, bucket, prefix, asOf, limit);
            return;
        }
        List<String> cursor = Cursor.decode(ctx.queryParam("cursor"), "files:" + bucket + ":" + prefix, 1);
        String after = cursor == null ? null : Cursor.storedKey(cursor.get(0));
        List<FileQueries.FileRow> rows = queries.list(bucket, prefix, after, limit + 1);
        String next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            // The stored form: a cursor never carries U+0000, so one that does is forged (400).
            next = Cursor.encode("files:" + bucket + ":" + prefix, StoredKey.toColumn(rows.get(limit - 1).key()));
        }
        List<FileSummary> files = rows.stream().map(r -> new FileSummary(r.key(), r.size(), r.contentType(), r.eTag(),
                r.storageClass(), r.lastModified(), r.currentVersionId(), r.versionCount())).toList();
        JsonBody.write(ctx, new FileListing(bucket, prefix, files, next));
    }

    /** One file of an as-of listing, with the version that was current at the instant. */
    public record AsOfSummary(String key, String versionId, Long size, String contentType, String eTag,
                              String storageClass, Instant createdAt) {
    }

    /** A page of an as-of listing. */
    public record AsOfListing(String bucket, String prefix, Instant asOf, List<AsOfSummary> files,
                              @JsonInclude(JsonInclude.Include.ALWAYS) String nextCursor) {
    }

    /** A file as it was at an instant: the version that was current then. */
    public record AsOfFile(String bucket, String key, Instant asOf, VersionView version) {
    }

    private void listAsOf(Context ctx, String bucket, String prefix, Instant asOf, int limit) {
        // The instant is part of the cursor's binding: a page of one instant never continues another.
        String kind = "files-asof:" + bucket + ":" + prefix + ":" + asOf;
        List<String> cursor = Cursor.decode(ctx.queryParam("cursor"), kind, 1);
        String after = cursor == null ? null : Cursor.storedKey(cursor.get(0));
        List<FileQueries.AsOfRow> rows = queries.listAsOf(bucket, prefix, after, asOf, limit + 1);
        String next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            next = Cursor.encode(kind, StoredKey.toColumn(rows.get(limit - 1).key()));
        }
        List<AsOfSummary> files = rows.stream().map(r -> new AsOfSummary(r.key(), r.versionId(), r.size(),
                r.contentType(), r.eTag(), r.storageClass(), r.createdAt())).toList();
        JsonBody.write(ctx, new AsOfListing(bucket, prefix, asOf, files, next));
    }

    private void fileAsOf(Context ctx, ObjectPath path, Instant asOf) {
        FileQueries.VersionRow v = queries.versionAsOf(path.bucket(), path.key(), asOf)
                .orElseThrow(() -> ApiProblem.notFound("no version of " + path.key() + " in bucket " + path.bucket()
                        + " existed at " + asOf));
        if (v.deleteMarker()) {
            throw ApiProblem.notFound(path.key() + " in bucket " + path.bucket() + " was deleted at " + asOf
                    + " (delete marker " + v.versionId() + " created " + v.createdAt() + ")");
        }
        JsonBody.write(ctx, new AsOfFile(path.bucket(), path.key(), asOf, view(v)));
    }

    /**
     * The prefix a listing may use: a key limited to a prefix lists only under it (a wider request is narrowed to
     * it, one beside it is a 403).
     */
    private static String scopedPrefix(ApiKeys.ApiKeyInfo caller, String bucket, String prefix) {
        String limit = caller.limits().prefix();
        String asked = prefix == null ? "" : prefix;
        if (limit == null || asked.startsWith(limit)) {
            return prefix;
        }
        if (limit.startsWith(asked)) {
            return limit;
        }
        throw Authorizer.outside(caller, "prefix '" + asked + "' of bucket " + bucket);
    }

    private void file(Context ctx, ObjectPath path) {
        Instant asOf = Requests.instant(ctx, "asOf");
        if (asOf != null) {
            fileAsOf(ctx, path, asOf);
            return;
        }
        FileAnswerCache.Load load = answers.begin(path.bucket(), path.key(), answerName("file", ctx));
        if (load.cached() != null) {
            JsonBody.writeBytes(ctx, load.cached());
            return;
        }
        FileQueries.FileWithCurrent found = queries.fileWithCurrent(path.bucket(), path.key())
                .orElseThrow(() -> ApiProblem.notFound("no file " + path.key() + " in bucket " + path.bucket()));
        FileQueries.FileRow file = found.file();
        List<ThumbnailView> thumbnails = new ArrayList<>();
        Metadata metadata = null;
        if (file.currentVersionId() != null) {
            FileVersion.Derivatives d = found.currentDerivatives();
            if (d != null) {
                metadata = new Metadata(d.contentType(), d.width(), d.height(), d.sha256(), d.exif(), d.failureReason());
                for (Thumbnail t : d.thumbnails() == null ? List.<Thumbnail>of() : d.thumbnails()) {
                    thumbnails.add(new ThumbnailView(t.size(), t.width(), t.height(), t.contentType(), t.bytes(),
                            route(path.bucket(), path.key(), "/versions/"
                                    + ObjectPath.encodeSegment(file.currentVersionId()) + "/thumbnails/" + t.size() + "/url")));
                }
            }
        }
        byte[] body = JsonBody.bytes(new FileDetails(file.bucket(), file.key(), file.deleted(), file.currentVersionId(),
                file.latestVersionId(), file.size(), file.contentType(), file.eTag(), file.storageClass(),
                file.lastModified(), file.versionCount(), file.deleteMarkerCount(), thumbnails, metadata,
                file.currentVersionId() == null ? null : found.currentTags()));
        load.store(body);
        JsonBody.writeBytes(ctx, body);
    }

    /** Names one answer of a file: the route and the query string, which holds all that shapes the body. */
    private static String answerName(String route, Context ctx) {
        String query = ctx.queryString();
        return query == null ? route : route + "?" + query;
    }

    private void versions(Context ctx, ObjectPath path) {
        int limit = Requests.limit(ctx);
        String include = ctx.queryParam("include");
        if (include != null && !include.isEmpty() && !include.equals("removed")) {
            throw ApiProblem.badRequest("include takes 'removed' (removed versions stay in history), got '" + include
                    + "'");
        }
        boolean removed = "removed".equals(include);
        FileAnswerCache.Load load = answers.begin(path.bucket(), path.key(), answerName("versions", ctx));
        if (load.cached() != null) {
            JsonBody.writeBytes(ctx, load.cached());
            return;
        }
        String kind = (removed ? "versions+removed:" : "versions:") + path.bucket() + "/" + path.key();
        List<String> cursor = Cursor.decode(ctx.queryParam("cursor"), kind, 2);
        List<FileQueries.VersionRow> rows = queries.history(path.bucket(), path.key(),
                cursor == null ? null : cursor.get(0), cursor == null ? null : cursor.get(1), limit + 1, removed);
        if (rows.isEmpty() && cursor == null) {
            throw ApiProblem.notFound("no versions of " + path.key() + " in bucket " + path.bucket());
        }
        String next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            FileQueries.VersionRow last = rows.get(limit - 1);
            next = Cursor.encode(kind, last.ordering(), last.versionId());
        }
        List<VersionView> versions = rows.stream().map(FileRoutes::view).toList();
        byte[] body = JsonBody.bytes(new VersionPage(path.bucket(), path.key(), versions, next));
        load.store(body);
        JsonBody.writeBytes(ctx, body);
    }

    private static VersionView view(FileQueries.VersionRow v) {
        return new VersionView(v.versionId(), v.sequencer(), v.deleteMarker(), v.size(), v.eTag(), v.storageClass(),
                v.createdAt(), v.requester(), v.contentType(), v.restore(), v.tagsChangedAt(),
                v.derivatives() == null || v.derivatives().thumbnails() == null ? 0 : v.derivatives().thumbnails().size(),
                v.derivatives() == null ? null : v.derivatives().restoredFrom(),
                v.removedAt() == null ? null : new Removed(v.removedAt(), v.removedReason()), v.tags(),
                v.tags() == null ? null : v.tagsFetchedAt());
    }

    private void versionUrl(Context ctx, ObjectPath path) {
        ApiKeys.ApiKeyInfo caller = Authorizer.caller(ctx);
        Duration ttl = ttl(ctx);
        requireSourceBucket(path.bucket());
        FileQueries.VersionRow version = queries.version(path.bucket(), path.key(), path.versionId())
                .orElseThrow(() -> ApiProblem.notFound("no version " + path.versionId() + " of " + path.key()));
        if (version.deleteMarker()) {
            throw ApiProblem.conflict("version " + path.versionId() + " is a delete marker and has no bytes");
        }
        CloudFrontSigner.SignedUrl url = signer.sourceVersion(path.key(), path.versionId(), ttl);
        recordIssued(ctx, caller, path, url);
        JsonBody.write(ctx, new SignedUrlView(path.bucket(), path.key(), path.versionId(), null, url.url(), url.expiresAt()));
    }

    private void thumbnailUrl(Context ctx, ObjectPath path) {
        ApiKeys.ApiKeyInfo caller = Authorizer.caller(ctx);
        Duration ttl = ttl(ctx);
        String versionId = path.versionId();
        if (versionId == null) {
            versionId = queries.file(path.bucket(), path.key()).map(FileQueries.FileRow::currentVersionId)
                    .orElseThrow(() -> ApiProblem.notFound("no current version of " + path.key()));
        }
        String finalVersion = versionId;
        FileQueries.VersionRow version = queries.version(path.bucket(), path.key(), versionId)
                .orElseThrow(() -> ApiProblem.notFound("no version " + finalVersion + " of " + path.key()));
        Thumbnail thumbnail = thumbnail(version, path.thumbnailSize())
                .orElseThrow(() -> ApiProblem.notFound("version " + finalVersion + " has no thumbnail of size "
                        + path.thumbnailSize()));
        CloudFrontSigner.SignedUrl url = signer.derivative(thumbnail.key(), ttl);
        recordIssued(ctx, caller, new ObjectPath(path.bucket(), path.key(), path.target(), finalVersion,
                path.thumbnailSize()), url);
        JsonBody.write(ctx, new SignedUrlView(path.bucket(), path.key(), finalVersion, path.thumbnailSize(), url.url(),
                url.expiresAt()));
    }

    /** The thumbnail of a given size of a version, if the processors made one. */
    public static java.util.Optional<Thumbnail> thumbnail(FileQueries.VersionRow version, int size) {
        if (version.derivatives() == null || version.derivatives().thumbnails() == null) {
            return java.util.Optional.empty();
        }
        return version.derivatives().thumbnails().stream().filter(t -> t.size() == size).findFirst();
    }

    private void recordIssued(Context ctx, ApiKeys.ApiKeyInfo caller, ObjectPath path, CloudFrontSigner.SignedUrl url) {
        access.urlIssued(null, path.bucket(), path.key(), path.versionId(), url.expiresAt(), "key:" + caller.id(),
                ClientAddress.of(ctx));
    }

    private void requireSourceBucket(String bucket) {
        if (!bucket.equals(config.sourceBucket())) {
            throw ApiProblem.badRequest("bucket " + bucket + " is not behind the CloudFront distribution (it serves "
                    + config.sourceBucket() + ")");
        }
    }

    private Duration ttl(Context ctx) {
        String value = ctx.queryParam("ttl");
        if (value == null || value.isEmpty()) {
            return config.signedUrlTtl();
        }
        try {
            long seconds = Long.parseLong(value);
            if (seconds < 1 || seconds > config.signedUrlMaxTtl().toSeconds()) {
                throw ApiProblem.badRequest("ttl must be 1.." + config.signedUrlMaxTtl().toSeconds() + " seconds, got "
                        + seconds);
            }
            return Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest("ttl must be a whole number of seconds, got '" + value + "'");
        }
    }

    public static String filePath(String bucket, String key) {
        return "/v1/buckets/" + bucket + "/files/" + ObjectPath.encodeSegment(key);
    }

    /** A route under a file: the key in the path, or in {@code ?key=} when a path cannot carry it (U+0000). */
    public static String route(String bucket, String key, String suffix) {
        if (key.indexOf('\u0000') < 0) {
            return filePath(bucket, key) + suffix;
        }
        return "/v1/buckets/" + bucket + "/files/" + ObjectPath.KEY_IN_QUERY + suffix + "?key="
                + URLEncoder.encode(key, StandardCharsets.UTF_8);
    }
}
