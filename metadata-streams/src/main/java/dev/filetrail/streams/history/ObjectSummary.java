package dev.filetrail.streams.history;

import dev.filetrail.events.history.FileHead;

/**
 * One object as {@link VersionStore} sees it during an input record: the head (null when the object has no
 * entries; read from the newest entry and the counts that entry carries), the order key of that newest entry, and
 * how many parked items and share links the object has (the {@code objects} store, kept only while either is above
 * zero), so that the common event neither scans {@code pending} or {@code links} for nothing.
 */
public record ObjectSummary(FileHead head, String latestOrder, int parked, int links) {
    static final ObjectSummary EMPTY = new ObjectSummary(null, null, 0, 0);

    boolean isEmpty() {
        return head == null && parked == 0 && links == 0;
    }
}
