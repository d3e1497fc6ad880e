package dev.filetrail.launcher.ops;

import java.util.List;

/** Every entry one side knows for one key. */
public record KeyEntries(String key, List<ObjectEntry> entries) {
}
