package dev.filetrail.journal;

import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventType;
import dev.filetrail.events.object.Origin;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Object events with what a round trip can lose: nanosecond instants, absent fields, empty origins, odd keys. */
public final class JournalSamples {
    private JournalSamples() {
    }

    /** {@code n} events, one every 100 minutes, in two buckets, ids prefixed with {@code run}. */
    public static List<ObjectEvent> events(String run, int n, long seed) {
        Random r = new Random(seed);
        List<ObjectEvent> out = new ArrayList<>(n);
        Instant base = Instant.parse("2026-11-28T10:15:30.123Z");
        for (int i = 0; i < n; i++) {
            boolean created = r.nextInt(5) != 0;
            Instant eventTime = base.plusMillis(i * 3_600_000L * 5 / 3 + r.nextInt(1000));
            // what Clock.systemUTC() gives on Linux: nanoseconds
            Instant ingested = eventTime.plusNanos(1_000_000_000L + r.nextInt(1_000_000_000));
            boolean restore = i % 23 == 0;
            Origin origin = switch (i % 4) {
                case 0 -> Origin.of(Origin.BACKFILL);
                case 1 -> new Origin(Origin.S3_NOTIFICATION, "sqs-" + i, "sns-" + i, "cfg");
                case 2 -> new Origin(null, null, null, null);
                default -> null;
            };
            out.add(new ObjectEvent(
                    run + "-" + i,
                    i % 3 == 0 ? "photos-eu" : "docs-us",
                    "folder " + (i % 5) + "/file-" + i + (i % 11 == 0 ? " ü&ß \"q\".pdf" : ".jpg"),
                    i % 13 == 0 ? null : "v" + Long.toHexString(r.nextLong()),
                    String.format("%016X", eventTime.toEpochMilli() * 1000 + i),
                    created ? ObjectEventType.VERSION_CREATED : ObjectEventType.DELETE_MARKER_CREATED,
                    created ? "ObjectCreated:Put" : "ObjectRemoved:DeleteMarkerCreated",
                    created ? (long) r.nextInt(Integer.MAX_VALUE) * (i % 5 == 0 ? 1000L : 1L) : null,
                    created ? "\"" + Long.toHexString(r.nextLong()) + "\"" : null,
                    created ? "STANDARD" : null,
                    eventTime,
                    "eu-west-1",
                    i % 7 == 0 ? null : i % 7 == 1 ? "" : "AIDA" + (i % 5),
                    "203.0.113." + (i % 250),
                    restore ? Instant.parse("2026-12-24T00:00:00Z") : null,
                    restore ? "GLACIER" : null,
                    origin,
                    ingested));
        }
        return out;
    }
}
