package dev.filetrail.launcher.ops;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The order both listings share: S3 lists keys in UTF-8 binary order and the read model's keys use the "C"
 * collation (byte order), so a merge join must compare UTF-8 bytes, not Java's UTF-16 chars.
 */
final class KeyOrder {
    static final Comparator<String> UTF8_BINARY = (a, b) ->
            Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private KeyOrder() {
    }
}
