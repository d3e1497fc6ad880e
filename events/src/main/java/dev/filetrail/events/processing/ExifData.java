package dev.filetrail.events.processing;

import java.time.Instant;

/** EXIF facts kept as metadata; GPS lives here and never in a thumbnail. */
public record ExifData(Instant captureTime, String cameraMake, String cameraModel, Integer orientation,
                       Double gpsLatitude, Double gpsLongitude) {
}
