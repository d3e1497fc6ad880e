package dev.filetrail.streams.history;

import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.processing.ProcessingResult;
import java.time.Instant;

/**
 * An event or processing result that names a version not seen yet; applied when that version arrives.
 * {@code time} is the fact's time as decided on arrival (the record time when the fact carried none).
 */
public record Parked(ObjectEvent event, ProcessingResult result, Instant time) {
}
