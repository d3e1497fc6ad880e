package dev.filetrail.lambda.tags;

import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.lambda.results.Results;
import dev.filetrail.lambda.s3event.VersionProcessor;
import dev.filetrail.lambda.source.SourceVersion;
import java.util.Optional;

/**
 * Answers an {@code ObjectTagging:Put} or {@code ObjectTagging:Delete} notification, which names the version but
 * not its tags, with a {@link ProcessingResult#TAGS} result carrying the version's tags as S3 now has them. A
 * version that is gone gets a SKIPPED result without tags (its removal reaches the history on its own), and so does
 * one whose tags S3 refuses to read for good (access denied): only outages are thrown, to be retried.
 */
public final class TagsProcessor implements VersionProcessor {
    private final TagReader reader;
    private final Results results;

    public TagsProcessor(TagReader reader, Results results) {
        this.reader = reader;
        this.results = results;
    }

    @Override
    public ProcessingResult process(SourceVersion source) {
        Optional<TagReader.VersionTags> tags;
        try {
            tags = reader.read(source);
        } catch (TagReader.TagsUnreadableException e) {
            // Recorded and logged rather than retried for ever; the history keeps the tags it had.
            return results.skipped(ProcessingResult.TAGS, source, e.getMessage(), null);
        }
        if (tags.isEmpty()) {
            return results.skipped(ProcessingResult.TAGS, source, "source version no longer exists", null);
        }
        return results.tags(source, tags.get().tags(), tags.get().fetchedAt());
    }
}
