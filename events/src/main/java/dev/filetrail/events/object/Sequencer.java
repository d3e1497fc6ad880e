package dev.filetrail.events.object;

import java.util.Comparator;
import java.util.Locale;

/**
 * S3's per-key ordering token. Sequencers are hex strings comparable only within one bucket and key, after
 * right-padding the shorter one with zeros (AWS documents exactly this rule).
 */
public final class Sequencer {
    /** Orders sequencers as S3 does; {@code null} (events that carry none) sorts first. */
    public static final Comparator<String> ORDER = Sequencer::compare;

    private Sequencer() {
    }

    public static int compare(String a, String b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        int length = Math.max(a.length(), b.length());
        return normalize(a, length).compareTo(normalize(b, length));
    }

    /**
     * A fixed-width form whose plain string order equals sequencer order, for use inside composite store keys.
     * Width 32 covers every sequencer S3 has been observed to send (16 to 18 hex digits) with room to spare.
     */
    public static String sortable(String sequencer) {
        if (sequencer == null) {
            return "0".repeat(SORTABLE_WIDTH);
        }
        if (sequencer.length() > SORTABLE_WIDTH) {
            throw new IllegalArgumentException("sequencer longer than " + SORTABLE_WIDTH + " hex digits: " + sequencer);
        }
        return normalize(sequencer, SORTABLE_WIDTH);
    }

    public static final int SORTABLE_WIDTH = 32;

    private static String normalize(String sequencer, int length) {
        String upper = sequencer.toUpperCase(Locale.ROOT);
        return upper.length() >= length ? upper : upper + "0".repeat(length - upper.length());
    }

    public static boolean isValid(String sequencer) {
        return sequencer != null && !sequencer.isEmpty() && sequencer.length() <= SORTABLE_WIDTH
                && sequencer.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }
}
