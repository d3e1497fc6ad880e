package dev.filetrail.api.shares;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.files.FileQueries;
import dev.filetrail.api.files.FileReads;
import dev.filetrail.api.http.ObjectPath;
import dev.filetrail.api.http.ApiProblem;
import dev.filetrail.api.http.Authorizer;
import dev.filetrail.api.http.ClientAddress;
import dev.filetrail.api.http.Cursor;
import dev.filetrail.api.http.Requests;
import dev.filetrail.api.keys.ApiKeys;
import dev.filetrail.api.keys.Scope;
import dev.filetrail.events.share.ShareCommand;
import dev.filetrail.events.share.ShareLink;
import io.javalin.apibuilder.ApiBuilder;
import io.javalin.apibuilder.EndpointGroup;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Share-link routes. Creation and revocation are commands to Kafka; the answer waits (bounded) until the
 * projection shows the link's new state, so a 201 means the link already opens.
 */
public final class ShareRoutes implements EndpointGroup {
    private static final Logger log = LoggerFactory.getLogger(ShareRoutes.class);
    private static final Set<String> FIELDS = Set.of("bucket", "key", "versionId", "expiresAt", "password",
            "allowDownload");

    private final ShareLinkStore store;
    private final ShareLinkWaits waits;
    private final ShareCommands commands;
    private final FileReads files;
    private final ApiConfig config;

    public ShareRoutes(ShareLinkStore store, ShareLinkWaits waits, ShareCommands commands, FileReads files,
                       ApiConfig config) {
        this.store = store;
        this.waits = waits;
        this.commands = commands;
        this.files = files;
        this.config = config;
    }

    /** Registers the share routes, each needing the {@code share} scope; the file's list lives under its path. */
    @Override
    public void addEndpoints() {
        ApiBuilder.post("/v1/shares", this::create, Scope.SHARE);
        ApiBuilder.get("/v1/shares/{id}", this::get, Scope.SHARE);
        ApiBuilder.delete("/v1/shares/{id}", this::revoke, Scope.SHARE);
        ApiBuilder.get("/v1/buckets/{bucket}/files/" + ObjectPath.KEY + "/shares",
                ObjectPath.to(ObjectPath.Target.SHARES, this::listForFile), Scope.SHARE);
    }

    /** A link as the API shows it: never its token or password hash. */
    public record LinkView(String id, String bucket, String key, String status, String statusReason,
                           String pinnedVersionId, String resolvedVersionId, boolean followsLatest, Instant expiresAt,
                           boolean hasPassword, boolean allowDownload, String createdBy, Instant createdAt,
                           Instant revokedAt, long accessCount, Instant lastAccessAt) {
        static LinkView of(ShareLink l) {
            return new LinkView(l.linkId(), l.bucket(), l.key(), l.status().name(), l.statusReason(),
                    l.pinnedVersionId(), l.resolvedVersionId(), l.followsLatest(), l.expiresAt(),
                    l.passwordHash() != null, l.allowDownload(), l.createdBy(), l.createdAt(), l.revokedAt(),
                    l.accessCount(), l.lastAccessAt());
        }
    }

    /** The answer to a create: the public URL (its token is shown here only) and the link once projected. */
    public record Created(String id, String url, String status, LinkView link) {
    }

    /** A page of a file's links. */
    public record LinkPage(String bucket, String key, List<LinkView> links,
                           @JsonInclude(JsonInclude.Include.ALWAYS) String nextCursor) {
    }

    /** The body of {@code POST /v1/shares}. */
    record CreateRequest(String bucket, String key, String versionId, Instant expiresAt, String password,
                         boolean allowDownload) {
    }

    private void create(Context ctx) {
        ApiKeys.ApiKeyInfo caller = Authorizer.caller(ctx);
        CreateRequest request = parse(ctx.body());
        if (!caller.mayAccess(request.bucket(), request.key())) {
            throw Authorizer.outside(caller, request.bucket() + "/" + request.key());
        }
        checkTarget(request);
        String token = ShareSecrets.newToken();
        String linkId = ShareSecrets.newLinkId();
        String commandId = UUID.randomUUID().toString();
        ShareCommand command = new ShareCommand(commandId, ShareCommand.Type.CREATE, linkId, request.bucket(),
                request.key(), ShareSecrets.tokenHash(token), request.versionId(), request.expiresAt(),
                request.password() == null ? null : ShareSecrets.hashPassword(request.password()),
                request.allowDownload(), "key:" + caller.id(), ClientAddress.of(ctx), Instant.now());
        waits.expect(commandId);
        commands.send(command);
        String url = config.publicBaseUrl() + "/s/" + token;
        Optional<ShareLink> projected = waits.await(commandId, linkId, config.shareCreateWait());
        ctx.header("Location", "/v1/shares/" + linkId);
        if (projected.isEmpty()) {
            log.info("share link pending linkId={} bucket={} key={}", linkId, request.bucket(), request.key());
            ctx.status(202).json(new Created(linkId, url, "PENDING", null));
            return;
        }
        ShareLink link = projected.get();
        log.info("share link created linkId={} bucket={} key={} status={}", linkId, request.bucket(), request.key(),
                link.status());
        if (link.status() == ShareLink.Status.REJECTED) {
            throw ApiProblem.conflict("the link was rejected: " + link.statusReason());
        }
        ctx.status(201).json(new Created(linkId, url, link.status().name(), LinkView.of(link)));
    }

    private void get(Context ctx) {
        ApiKeys.ApiKeyInfo caller = Authorizer.caller(ctx);
        ShareLink link = find(ctx.pathParam("id"));
        if (!caller.mayAccess(link.bucket(), link.key())) {
            throw Authorizer.outside(caller, "share link " + link.linkId());
        }
        ctx.json(LinkView.of(link));
    }

    private void revoke(Context ctx) {
        ApiKeys.ApiKeyInfo caller = Authorizer.caller(ctx);
        ShareLink link = find(ctx.pathParam("id"));
        if (!caller.mayAccess(link.bucket(), link.key())) {
            throw Authorizer.outside(caller, "share link " + link.linkId());
        }
        // A link belongs to the key that created it (createdBy "key:<id>"): only it, or an admin key, revokes it.
        if (!caller.scopes().contains(Scope.ADMIN) && !("key:" + caller.id()).equals(link.createdBy())) {
            throw ApiProblem.forbidden("share link " + link.linkId() + " was created by another key; only that key "
                    + "or an admin key may revoke it");
        }
        if (link.status() == ShareLink.Status.REVOKED) {
            ctx.json(LinkView.of(link));
            return;
        }
        String commandId = UUID.randomUUID().toString();
        waits.expect(commandId);
        commands.send(new ShareCommand(commandId, ShareCommand.Type.REVOKE, link.linkId(), link.bucket(), link.key(),
                null, null, null, null, null, "key:" + caller.id(), ClientAddress.of(ctx), Instant.now()));
        Optional<ShareLink> projected = waits.await(commandId, link.linkId(), config.shareCreateWait());
        if (projected.isEmpty()) {
            ctx.status(202).header("Location", "/v1/shares/" + link.linkId()).json(LinkView.of(link));
            return;
        }
        ctx.json(LinkView.of(projected.get()));
    }

    private void listForFile(Context ctx, ObjectPath path) {
        int limit = Requests.limit(ctx);
        String kind = "shares:" + path.bucket() + "/" + path.key();
        List<String> cursor = Cursor.decode(ctx.queryParam("cursor"), kind, 2);
        Instant after = cursor == null ? null : Cursor.instant(cursor.get(0));
        List<ShareLink> links = store.forFile(path.bucket(), path.key(), after, cursor == null ? null : cursor.get(1),
                limit + 1);
        String next = null;
        if (links.size() > limit) {
            links = links.subList(0, limit);
            ShareLink last = links.get(limit - 1);
            next = Cursor.encode(kind, last.createdAt().toString(), last.linkId());
        }
        ctx.json(new LinkPage(path.bucket(), path.key(), links.stream().map(LinkView::of).toList(), next));
    }

    private ShareLink find(String id) {
        if (id == null || !id.matches("shl_[0-9a-f]{24}")) {
            throw ApiProblem.notFound("no share link " + id);
        }
        return store.byId(id).orElseThrow(() -> ApiProblem.notFound("no share link " + id));
    }

    private void checkTarget(CreateRequest request) {
        FileQueries.FileRow file = files.file(request.bucket(), request.key())
                .orElseThrow(() -> ApiProblem.notFound("no file " + request.key() + " in bucket " + request.bucket()));
        if (request.versionId() != null) {
            FileQueries.VersionRow version = files.version(request.bucket(), request.key(), request.versionId())
                    .orElseThrow(() -> ApiProblem.notFound("no version " + request.versionId() + " of " + request.key()));
            if (version.deleteMarker()) {
                throw ApiProblem.conflict("version " + request.versionId() + " is a delete marker");
            }
        } else if (file.deleted()) {
            throw ApiProblem.conflict("file " + request.key() + " is deleted; pin a versionId to share an older version");
        }
    }

    static CreateRequest parse(String body) {
        JsonNode node = Requests.jsonObject(body, FIELDS, "bucket and key");
        String bucket = Requests.bucket(text(node, "bucket", true));
        String key = Requests.key(text(node, "key", true));
        String versionId = text(node, "versionId", false);
        if (versionId != null) {
            Requests.versionId(versionId);
        }
        Instant expiresAt = null;
        String expires = text(node, "expiresAt", false);
        if (expires != null) {
            try {
                expiresAt = Instant.parse(expires);
            } catch (DateTimeParseException e) {
                throw ApiProblem.badRequest("expiresAt must be an ISO-8601 instant, got '" + expires + "'");
            }
            if (!expiresAt.isAfter(Instant.now())) {
                throw ApiProblem.badRequest("expiresAt must be in the future");
            }
            Requests.storedInstant("expiresAt", expiresAt);
        }
        String password = text(node, "password", false);
        if (password != null && (password.isEmpty() || password.length() > 1024)) {
            throw ApiProblem.badRequest("password must be 1..1024 characters");
        }
        boolean allowDownload = true;
        if (node.has("allowDownload") && !node.get("allowDownload").isNull()) {
            if (!node.get("allowDownload").isBoolean()) {
                throw ApiProblem.badRequest("allowDownload must be true or false");
            }
            allowDownload = node.get("allowDownload").asBoolean();
        }
        return new CreateRequest(bucket, key, versionId, expiresAt, password, allowDownload);
    }

    private static String text(JsonNode node, String field, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw ApiProblem.badRequest("field '" + field + "' is required");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw ApiProblem.badRequest("field '" + field + "' must be a string");
        }
        return value.asText();
    }
}
