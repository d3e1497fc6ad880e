package dev.filetrail.events.s3;

import dev.filetrail.events.object.ObjectEvent;
import java.util.List;

/** What one S3 notification body said: either S3's test event or one canonical event per record. */
public record S3Notification(boolean testEvent, List<ObjectEvent> events) {
    public static S3Notification test() {
        return new S3Notification(true, List.of());
    }
}
