package dev.filetrail.api.keys;

import io.javalin.security.RouteRole;
import java.util.Locale;

/**
 * What an API key may do; {@code admin} includes the others. A route declares the scope it needs as its role.
 * {@code write} changes objects in S3 (restore a version, undelete).
 */
public enum Scope implements RouteRole {
    READ, SHARE, WRITE, ADMIN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Scope parse(String value) {
        for (Scope scope : values()) {
            if (scope.wireName().equals(value == null ? null : value.trim().toLowerCase(Locale.ROOT))) {
                return scope;
            }
        }
        throw new IllegalArgumentException("unknown scope '" + value + "' (expected read, share, write or admin)");
    }
}
