package dev.filetrail.lambda.metadata;

import dev.filetrail.events.processing.ExifData;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.lambda.derivatives.DerivativeKeys;
import dev.filetrail.lambda.derivatives.DerivativeStore;
import dev.filetrail.lambda.image.ContentType;
import dev.filetrail.lambda.image.ImageDecoder;
import dev.filetrail.lambda.image.ImageHeader;
import dev.filetrail.lambda.image.ImageRejectedException;
import dev.filetrail.lambda.image.Orientation;
import dev.filetrail.lambda.results.Results;
import dev.filetrail.lambda.results.Results.Facts;
import dev.filetrail.lambda.source.SourceVersion;
import dev.filetrail.lambda.s3event.VersionProcessor;
import dev.filetrail.lambda.source.FetchedObject;
import dev.filetrail.lambda.source.SourceFetcher;
import dev.filetrail.lambda.source.SourceGoneException;
import dev.filetrail.lambda.tags.TagReader;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata processor: sniffed content type, size and SHA-256 for every object; for images also the
 * upright dimensions (from the header only, so even a decompression bomb is measured safely) and EXIF; and the
 * version's S3 tags.
 */
public final class MetadataProcessor implements VersionProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataProcessor.class);
    private static final String PROCESSOR = ProcessingResult.METADATA;
    private static final Set<ContentType> EXIF_ONLY = EnumSet.of(ContentType.HEIC, ContentType.AVIF);

    private final SourceFetcher fetcher;
    private final DerivativeStore store;
    private final ImageDecoder decoder;
    private final Results results;
    private final TagReader tags;

    /** A processor that does not read tags. */
    public MetadataProcessor(SourceFetcher fetcher, DerivativeStore store, ImageDecoder decoder, Results results) {
        this(fetcher, store, decoder, results, null);
    }

    /** A processor that also reads each version's tags (set at upload, or copied by a restore) into its result. */
    public MetadataProcessor(SourceFetcher fetcher, DerivativeStore store, ImageDecoder decoder, Results results,
                             TagReader tags) {
        this.fetcher = fetcher;
        this.store = store;
        this.decoder = decoder;
        this.results = results;
        this.tags = tags;
    }

    @Override
    public ProcessingResult process(SourceVersion source) {
        Optional<ProcessingResult> finished = store.finishedResult(DerivativeKeys.METADATA, source);
        if (finished.isPresent()) {
            LOG.info("metadata: bucket={} key={} versionId={} was already extracted; republishing",
                    source.bucket(), source.key(), source.versionOrNull());
            return withTags(source, finished.get());
        }
        ProcessingResult result;
        try (FetchedObject object = fetcher.fetch(source, t -> t.thumbnailable() || EXIF_ONLY.contains(t))) {
            result = extract(source, object);
            if (object.restoredFrom() != null) {
                result = result.withRestoredFrom(object.restoredFrom());
            }
        } catch (SourceGoneException e) {
            return results.failed(PROCESSOR, source, e.getMessage(), null);
        }
        if (result.status() == ProcessingResult.Status.SUCCEEDED) {
            store.putResult(DerivativeKeys.METADATA, source, result);
        }
        return withTags(source, result);
    }

    /**
     * The tags are read after the bytes, on every run, and never kept in the stored result: they can change while
     * the bytes cannot. A version gone by now gets no tags.
     */
    private ProcessingResult withTags(SourceVersion source, ProcessingResult result) {
        if (tags == null) {
            return result;
        }
        try {
            return tags.read(source).map(t -> result.withTags(t.tags(), t.fetchedAt())).orElse(result);
        } catch (TagReader.TagsUnreadableException e) {
            // The bytes' findings still count; the version's tags stay unknown rather than the result retried for ever.
            LOG.warn("metadata: bucket={} key={} versionId={} {}", source.bucket(), source.key(),
                    source.versionOrNull(), e.getMessage());
            return result;
        }
    }

    private ProcessingResult extract(SourceVersion source, FetchedObject object) {
        ContentType type = object.contentType();
        Facts bytes = new Facts(type.mimeType(), null, null, object.size(), object.sha256());
        if (object.file() == null) {
            return results.succeeded(PROCESSOR, source, bytes, null, null);
        }
        ExifData exif = ExifReader.read(object.file(), type);
        if (!type.thumbnailable()) {
            return results.succeeded(PROCESSOR, source, bytes, exif, null);
        }
        ImageHeader header;
        try {
            header = decoder.readHeader(object.file(), type);
        } catch (ImageRejectedException e) {
            return results.failed(PROCESSOR, source, e.getMessage(), bytes);
        }
        boolean swap = Orientation.swapsAxes(ExifReader.orientation(exif));
        Facts facts = new Facts(type.mimeType(), swap ? header.height() : header.width(),
                swap ? header.width() : header.height(), object.size(), object.sha256());
        return results.succeeded(PROCESSOR, source, facts, exif, null);
    }
}
