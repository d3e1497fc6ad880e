package dev.filetrail.streams;

import dev.filetrail.events.Topics;
import java.util.List;

/** The four topics the topology writes; standard names in production, suffixed ones for side-by-side rebuilds. */
public record OutputTopics(String fileVersions, String files, String shareLinks, String audit) {

    public static OutputTopics standard() {
        return new OutputTopics(Topics.FILE_VERSIONS, Topics.FILES, Topics.SHARE_LINKS, Topics.AUDIT);
    }

    public OutputTopics withSuffix(String suffix) {
        if (suffix == null || suffix.isEmpty()) {
            return this;
        }
        return new OutputTopics(fileVersions + suffix, files + suffix, shareLinks + suffix, audit + suffix);
    }

    public List<String> all() {
        return List.of(fileVersions, files, shareLinks, audit);
    }

    public boolean isStandard() {
        return equals(standard());
    }
}
