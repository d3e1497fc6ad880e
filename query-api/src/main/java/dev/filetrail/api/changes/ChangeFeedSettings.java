package dev.filetrail.api.changes;

import java.time.Duration;
import java.util.List;

/**
 * The change feed's configuration (part of {@code ApiConfig}, read from {@code CHANGES_*} variables).
 *
 * @param cursorKeys      HMAC keys for cursors and stream tickets: the first signs, every one verifies (rotation:
 *                        put the new key first and keep the old one second until old cursors no longer matter)
 * @param retention       how long a cursor stays usable, and how long changes are kept
 * @param waitsPerKey     waiting long-polls and open streams one API key may hold at once (beyond: 429)
 * @param backoffAbove    waiters in this process above which answers carry a {@code backoff} hint
 * @param heartbeat       how often an idle stream sends a comment line
 * @param streamTicketTtl how long a stream ticket (the {@code EventSource} login) opens streams
 */
public record ChangeFeedSettings(List<String> cursorKeys, Duration retention, int waitsPerKey, int backoffAbove,
                                 Duration heartbeat, Duration streamTicketTtl) {
    /** The local stack's cursor key: a deployment sets its own (Secrets Manager), or anyone can forge cursors. */
    public static final String LOCAL_CURSOR_KEY = "filetrail-local-change-cursor-key";
    public static final ChangeFeedSettings DEFAULT = new ChangeFeedSettings(List.of(LOCAL_CURSOR_KEY),
            Duration.ofDays(90), 100, 10_000, Duration.ofSeconds(15), Duration.ofMinutes(15));

    public ChangeFeedSettings {
        cursorKeys = List.copyOf(cursorKeys);
        if (cursorKeys.isEmpty() || cursorKeys.stream().anyMatch(k -> k.length() < 16)) {
            throw new IllegalArgumentException("CHANGES_CURSOR_KEYS must hold one or more keys of 16 characters or more");
        }
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("CHANGES_RETENTION must be positive, got " + retention);
        }
        if (waitsPerKey < 1 || backoffAbove < 1) {
            throw new IllegalArgumentException("CHANGES_WAITS_PER_KEY and CHANGES_BACKOFF_ABOVE must be at least 1");
        }
        if (heartbeat.isNegative() || heartbeat.isZero() || streamTicketTtl.isNegative() || streamTicketTtl.isZero()) {
            throw new IllegalArgumentException("CHANGES_HEARTBEAT and CHANGES_STREAM_TICKET_TTL must be positive");
        }
    }

    /** The keys from {@code CHANGES_CURSOR_KEYS}: comma-separated, newest first. */
    /** Whether a cursor key is the local stack's public default: anyone could forge cursors with it. */
    public boolean usesLocalKey() {
        return cursorKeys.contains(LOCAL_CURSOR_KEY);
    }

    public static List<String> parseKeys(String value) {
        return java.util.Arrays.stream(value.split(",")).map(String::trim).filter(k -> !k.isEmpty()).toList();
    }
}
