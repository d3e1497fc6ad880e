package dev.filetrail.api.http;

import dev.filetrail.api.keys.ApiKeys;
import dev.filetrail.api.keys.Scope;
import io.javalin.http.Context;
import io.javalin.security.RouteRole;

/** Checks {@code Authorization: Bearer <key>} against the key store and the scope a route needs. */
public final class Authorizer {
    private static final String CALLER = "filetrail.caller";
    private final ApiKeys keys;

    public Authorizer(ApiKeys keys) {
        this.keys = keys;
    }

    /**
     * The check before every matched route: a route that declares a {@link Scope} as its role answers only a key
     * holding it; routes without one (liveness, the OpenAPI document, share pages) are open.
     */
    public void check(Context ctx) {
        for (RouteRole role : ctx.routeRoles()) {
            if (role instanceof Scope scope) {
                require(ctx, scope);
            }
        }
    }

    /** The caller the check verified, for routes that declare a scope. */
    public static ApiKeys.ApiKeyInfo caller(Context ctx) {
        ApiKeys.ApiKeyInfo caller = ctx.attribute(CALLER);
        if (caller == null) {
            throw new IllegalStateException("route " + ctx.path() + " declares no scope, so it has no verified caller");
        }
        return caller;
    }

    /**
     * The check for a route that declares no scope because it also takes another login (the change stream's
     * ticket): the verified caller holding {@code scope}; 401 or 403 otherwise.
     */
    public ApiKeys.ApiKeyInfo requireScope(Context ctx, Scope scope) {
        return require(ctx, scope);
    }

    /** The 403 for a key used outside the buckets or prefix it is limited to. */
    public static ApiProblem outside(ApiKeys.ApiKeyInfo caller, String what) {
        return ApiProblem.forbidden("this key is limited to " + (caller.limits().buckets().isEmpty() ? "every bucket"
                : "bucket(s) " + caller.limits().buckets()) + (caller.limits().prefix() == null ? ""
                : ", keys starting with '" + caller.limits().prefix() + "'") + "; " + what + " is outside");
    }

    /** The verified caller, if it holds {@code scope} (admin holds every scope); 401 or 403 otherwise. */
    private ApiKeys.ApiKeyInfo require(Context ctx, Scope scope) {
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"filetrail\"");
            throw ApiProblem.unauthorized("send an API key as 'Authorization: Bearer <key>'");
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"filetrail\"");
            throw ApiProblem.unauthorized("the Authorization header must use the Bearer scheme");
        }
        ApiKeys.ApiKeyInfo caller = keys.verify(header.substring(7).trim()).orElseThrow(() -> {
            ctx.header("WWW-Authenticate", "Bearer realm=\"filetrail\", error=\"invalid_token\"");
            return ApiProblem.unauthorized("the API key is unknown, revoked or expired");
        });
        if (!caller.scopes().contains(scope) && !caller.scopes().contains(Scope.ADMIN)) {
            throw ApiProblem.forbidden("this route needs the '" + scope.wireName() + "' scope; the key has "
                    + caller.scopes().stream().map(Scope::wireName).toList());
        }
        // A key limited to buckets or a prefix: every route under a file is checked here on its bucket and key, and
        // a route naming a bucket on the bucket; the routes that name them elsewhere (listing's prefix, shares by
        // id, audit) check them themselves.
        ObjectPath path = ObjectPath.of(ctx);
        if (path != null && !caller.mayAccess(path.bucket(), path.key())) {
            throw outside(caller, path.bucket() + "/" + path.key());
        }
        String bucket = ctx.pathParamMap().get("bucket");
        if (path == null && bucket != null && !caller.limits().allowsBucket(bucket)) {
            throw outside(caller, "bucket " + bucket);
        }
        ctx.attribute(CALLER, caller);
        return caller;
    }
}
