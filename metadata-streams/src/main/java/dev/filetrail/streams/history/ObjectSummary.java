package dev.filetrail.streams.history;

import dev.filetrail.events.history.FileHead;

/**
 * The constant-size per-object record of the {@code heads} store: the published head (null when the object has no
 * entries), the order key of its newest entry, and how many parked items and share links the object has, so that
 * the common event neither looks the newest entry up again nor scans {@code pending} or {@code links} for nothing.
 */
public record ObjectSummary(FileHead head, String latestOrder, int parked, int links) {
    static final ObjectSummary EMPTY = new ObjectSummary(null, null, 0, 0);

    boolean isEmpty() {
        return head == null && parked == 0 && links == 0;
    }
}
