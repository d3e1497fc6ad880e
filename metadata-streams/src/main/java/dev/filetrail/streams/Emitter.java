package dev.filetrail.streams;

import dev.filetrail.events.audit.CloudEvent;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.history.FileVersionChange;
import dev.filetrail.events.share.ShareLink;

/** Where the topology's features send what they decide; the processor forwards each to its output topic. */
public interface Emitter {
    void versionChange(FileVersionChange change);

    /** The object's head, or {@code null} (a tombstone on the compacted topic) when it has no history left. */
    void head(String objectKey, FileHead head);

    void link(ShareLink link);

    void audit(CloudEvent event);
}
