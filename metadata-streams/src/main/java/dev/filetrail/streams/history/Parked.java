package dev.filetrail.streams.history;

import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.processing.ProcessingResult;
import java.time.Instant;

/**
 * An event or processing result that names a version not seen yet; applied when that version arrives.
 * {@code time} is the fact's time as decided on arrival (the record time when the fact carried none);
 * {@code parkedAt} is the timestamp of the record that parked it, which retention is measured from (null in items
 * parked before it was recorded: their {@code time} stands in).
 */
public record Parked(ObjectEvent event, ProcessingResult result, Instant time, Instant parkedAt) {

    /** Milliseconds retention counts from. */
    long parkedAtMs() {
        Instant at = parkedAt != null ? parkedAt : time;
        return at == null ? Long.MIN_VALUE : at.toEpochMilli();
    }
}
