package dev.filetrail.lambda.metadata;

import com.drew.imaging.ImageMetadataReader;
import com.drew.lang.GeoLocation;
import com.drew.metadata.Directory;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifDirectoryBase;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifSubIFDDirectory;
import com.drew.metadata.exif.GpsDirectory;
import dev.filetrail.events.processing.ExifData;
import dev.filetrail.lambda.image.ContentType;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.EnumSet;
import java.util.Set;
import java.util.TimeZone;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the EXIF facts Filetrail keeps (capture time, camera, orientation, GPS) with metadata-extractor. */
public final class ExifReader {
    private static final Logger LOG = LoggerFactory.getLogger(ExifReader.class);
    private static final Set<ContentType> CARRIES_EXIF = EnumSet.of(ContentType.JPEG, ContentType.PNG,
            ContentType.TIFF, ContentType.WEBP, ContentType.HEIC, ContentType.AVIF);
    private static final TimeZone UTC = TimeZone.getTimeZone("UTC");

    private ExifReader() {
    }

    /** The EXIF facts of an image file, or null when it carries none (or they cannot be parsed). */
    public static ExifData read(Path file, ContentType type) {
        if (!CARRIES_EXIF.contains(type)) {
            return null;
        }
        try {
            Metadata metadata = ImageMetadataReader.readMetadata(file.toFile());
            ExifIFD0Directory ifd0 = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
            ExifSubIFDDirectory sub = metadata.getFirstDirectoryOfType(ExifSubIFDDirectory.class);
            GpsDirectory gps = metadata.getFirstDirectoryOfType(GpsDirectory.class);
            if (ifd0 == null && sub == null && gps == null) {
                return null;
            }
            Integer orientation = integer(ifd0, ExifDirectoryBase.TAG_ORIENTATION);
            String make = text(ifd0, ExifDirectoryBase.TAG_MAKE);
            String model = text(ifd0, ExifDirectoryBase.TAG_MODEL);
            Instant captureTime = captureTime(sub, ifd0);
            Double latitude = null;
            Double longitude = null;
            if (gps != null) {
                GeoLocation location = gps.getGeoLocation();
                if (location != null && !location.isZero()) {
                    latitude = location.getLatitude();
                    longitude = location.getLongitude();
                }
            }
            if (orientation == null && make == null && model == null && captureTime == null && latitude == null) {
                return null;
            }
            return new ExifData(captureTime, make, model, orientation, latitude, longitude);
        } catch (Exception e) {
            // Broken EXIF must not cost the thumbnail or the rest of the metadata: record none.
            LOG.warn("unreadable EXIF in {} ({}): {}", file.getFileName(), type.mimeType(), e.toString());
            return null;
        }
    }

    /** The EXIF orientation (1–8) of the facts, 1 when absent or out of range. */
    public static int orientation(ExifData exif) {
        if (exif == null || exif.orientation() == null || exif.orientation() < 1 || exif.orientation() > 8) {
            return 1;
        }
        return exif.orientation();
    }

    /**
     * DateTimeOriginal with OffsetTimeOriginal when the camera wrote one; EXIF times without an offset are local
     * to the camera and are read as UTC, which is the best a server without the user's zone can do.
     */
    private static Instant captureTime(ExifSubIFDDirectory sub, ExifIFD0Directory ifd0) {
        Date date = null;
        if (sub != null) {
            date = sub.getDateOriginal(UTC);
            if (date == null) {
                date = sub.getDateDigitized(UTC);
            }
        }
        if (date == null && ifd0 != null) {
            date = ifd0.getDate(ExifDirectoryBase.TAG_DATETIME, UTC);
        }
        return date == null ? null : date.toInstant();
    }

    private static Integer integer(Directory directory, int tag) {
        return directory == null ? null : directory.getInteger(tag);
    }

    private static String text(Directory directory, int tag) {
        if (directory == null) {
            return null;
        }
        String value = directory.getString(tag);
        if (value == null) {
            return null;
        }
        String trimmed = value.replace('\0', ' ').strip();
        return trimmed.isEmpty() ? null : trimmed;
    }
}
