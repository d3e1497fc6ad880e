package dev.filetrail.streams;

import dev.filetrail.events.Topics;
import java.util.List;

/**
 * The topics the topology writes: the four outputs and its dead-letter topic; standard names in production,
 * suffixed ones for side-by-side rebuilds.
 */
public record OutputTopics(String fileVersions, String files, String shareLinks, String audit, String deadLetters) {

    public static OutputTopics standard() {
        return new OutputTopics(Topics.FILE_VERSIONS.name(), Topics.FILES.name(), Topics.SHARE_LINKS.name(), Topics.AUDIT.name(),
                Topics.STREAMS_DLQ.name());
    }

    public OutputTopics withSuffix(String suffix) {
        if (suffix == null || suffix.isEmpty()) {
            return this;
        }
        return new OutputTopics(fileVersions + suffix, files + suffix, shareLinks + suffix, audit + suffix,
                deadLetters + suffix);
    }

    public List<String> all() {
        return List.of(fileVersions, files, shareLinks, audit, deadLetters);
    }

    public boolean isStandard() {
        return equals(standard());
    }
}
