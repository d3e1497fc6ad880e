package dev.filetrail.api;

/**
 * How an S3 key (any UTF-8, U+0000 included) is kept in the read model's {@code text} columns, which cannot hold
 * U+0000. U+0001 is the escape: U+0000 is stored as U+0001 U+0001, U+0001 as U+0001 U+0002, every other character
 * as itself. Those codes form a prefix code whose order is the characters' order, so in byte order (the columns'
 * {@code "C"} collation) the stored forms sort exactly as the keys do, a stored prefix matches exactly the stored
 * keys with that prefix, and two keys never share a stored form. A key without U+0000 or U+0001 is stored as it is.
 */
public final class StoredKey {
    private static final char ESCAPE = '\u0001';

    private StoredKey() {
    }

    /** The stored form of {@code key} (null stays null). */
    public static String toColumn(String key) {
        if (key == null || key.indexOf('\u0000') < 0 && key.indexOf(ESCAPE) < 0) {
            return key;
        }
        StringBuilder out = new StringBuilder(key.length() + 8);
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '\u0000') {
                out.append(ESCAPE).append(ESCAPE);
            } else if (c == ESCAPE) {
                out.append(ESCAPE).append('\u0002');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The key a stored form stands for (null stays null); a form no key produces is an error, never a guess. */
    public static String fromColumn(String stored) {
        if (stored == null || stored.indexOf(ESCAPE) < 0) {
            return stored;
        }
        StringBuilder out = new StringBuilder(stored.length());
        for (int i = 0; i < stored.length(); i++) {
            char c = stored.charAt(i);
            if (c != ESCAPE) {
                out.append(c);
                continue;
            }
            char next = i + 1 < stored.length() ? stored.charAt(i + 1) : 0;
            if (next == ESCAPE) {
                out.append('\u0000');
            } else if (next == '\u0002') {
                out.append(ESCAPE);
            } else {
                throw new IllegalArgumentException("stored key has a dangling escape at char " + i);
            }
            i++;
        }
        return out.toString();
    }
}
