package dev.filetrail.streams.history;

/**
 * What the index knows of one versionId: where it sits in the version order, or that it was permanently removed
 * (and at which sequencer), so that a creation delivered after its own removal is not resurrected.
 */
public record VersionRef(String order, boolean removed, String removedSequencer) {

    public static VersionRef live(String order) {
        return new VersionRef(order, false, null);
    }

    public static VersionRef removedAt(String sequencer) {
        return new VersionRef(null, true, sequencer);
    }

    /** Compact string form for the index store: {@code L<order>} or {@code R<sequencer>}. */
    public String encode() {
        return removed ? "R" + (removedSequencer == null ? "" : removedSequencer) : "L" + order;
    }

    public static VersionRef decode(String encoded) {
        if (encoded == null) {
            return null;
        }
        String rest = encoded.substring(1);
        return encoded.charAt(0) == 'R' ? removedAt(rest.isEmpty() ? null : rest) : live(rest);
    }
}
