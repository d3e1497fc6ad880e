package dev.filetrail.api.keys;

import java.util.Locale;

/** What an API key may do; {@code admin} includes the others. */
public enum Scope {
    READ, SHARE, ADMIN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Scope parse(String value) {
        for (Scope scope : values()) {
            if (scope.wireName().equals(value == null ? null : value.trim().toLowerCase(Locale.ROOT))) {
                return scope;
            }
        }
        throw new IllegalArgumentException("unknown scope '" + value + "' (expected read, share or admin)");
    }
}
