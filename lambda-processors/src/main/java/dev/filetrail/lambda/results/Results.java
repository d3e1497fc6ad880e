package dev.filetrail.lambda.results;

import dev.filetrail.events.object.EventIds;
import dev.filetrail.events.processing.ExifData;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.events.processing.ProcessingResult.Status;
import dev.filetrail.events.processing.Thumbnail;
import dev.filetrail.lambda.source.SourceVersion;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds {@link ProcessingResult}s with deterministic ids, so a re-delivered event yields the same id. */
public final class Results {
    private final Clock clock;

    public Results(Clock clock) {
        this.clock = clock;
    }

    /**
     * Hash of processor, bucket, key, version and status: a repeat of one outcome shares its id (consumers drop
     * it), while a later success after a recorded failure is a new fact with a new id.
     */
    public static String resultId(String processor, SourceVersion source, Status status) {
        return EventIds.sha256Hex("processing-result", processor, source.bucket(), source.key(),
                source.versionOrNull(), status.name());
    }

    public ProcessingResult failed(String processor, SourceVersion source, String reason, Facts facts) {
        return build(processor, source, Status.FAILED, reason, facts, null, null);
    }

    public ProcessingResult skipped(String processor, SourceVersion source, String reason, Facts facts) {
        return build(processor, source, Status.SKIPPED, reason, facts, null, null);
    }

    public ProcessingResult succeeded(String processor, SourceVersion source, Facts facts, ExifData exif,
                                      List<Thumbnail> thumbnails) {
        return build(processor, source, Status.SUCCEEDED, null, facts, exif, thumbnails);
    }

    /**
     * A {@link ProcessingResult#TAGS} result. Its id names the tags and the moment they were read: a retried fetch
     * that reads the same tags at another moment is a new (harmless) fact, and tags that change back to an earlier
     * set are never mistaken for the earlier answer.
     */
    public ProcessingResult tags(SourceVersion source, Map<String, String> tags, Instant fetchedAt) {
        String id = EventIds.sha256Hex("processing-result", ProcessingResult.TAGS, source.bucket(), source.key(),
                source.versionOrNull(), fetchedAt.toString(), new TreeMap<>(tags).toString());
        return new ProcessingResult(id, ProcessingResult.TAGS, source.bucket(), source.key(), source.versionOrNull(),
                Status.SUCCEEDED, null, null, null, null, null, null, null, null, clock.instant())
                .withTags(tags, fetchedAt);
    }

    private ProcessingResult build(String processor, SourceVersion source, Status status, String reason,
                                   Facts facts, ExifData exif, List<Thumbnail> thumbnails) {
        Facts f = facts == null ? Facts.NONE : facts;
        return new ProcessingResult(resultId(processor, source, status), processor, source.bucket(), source.key(),
                source.versionOrNull(), status, reason, f.contentType(), f.width(), f.height(), f.size(), f.sha256(),
                exif, thumbnails, clock.instant());
    }

    /** What is known about the source bytes when the result is built; any part may be null. */
    public record Facts(String contentType, Integer width, Integer height, Long size, String sha256) {
        public static final Facts NONE = new Facts(null, null, null, null, null);
    }
}
