package dev.filetrail.bridge.dlq;

import java.time.Instant;
import java.util.Map;

/** Summary of a walk over the dead-letter topic: how many letters, by reason, and their time span. */
public record DeadLetterListing(long count, long unreadable, Map<String, Long> byReason, Instant oldest,
                                Instant newest) {
}
