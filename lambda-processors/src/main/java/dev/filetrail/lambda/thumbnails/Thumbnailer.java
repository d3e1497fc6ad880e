package dev.filetrail.lambda.thumbnails;

import dev.filetrail.events.processing.ExifData;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.events.processing.Thumbnail;
import dev.filetrail.lambda.derivatives.DerivativeKeys;
import dev.filetrail.lambda.derivatives.DerivativeStore;
import dev.filetrail.lambda.image.ContentType;
import dev.filetrail.lambda.image.EncodedImage;
import dev.filetrail.lambda.image.ImageRejectedException;
import dev.filetrail.lambda.metadata.ExifReader;
import dev.filetrail.lambda.results.Results;
import dev.filetrail.lambda.results.Results.Facts;
import dev.filetrail.lambda.source.SourceVersion;
import dev.filetrail.lambda.s3event.VersionProcessor;
import dev.filetrail.lambda.source.FetchedObject;
import dev.filetrail.lambda.source.SourceFetcher;
import dev.filetrail.lambda.source.SourceGoneException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The thumbnail processor: one source version in, thumbnails in the derivatives bucket and a result out. */
public final class Thumbnailer implements VersionProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(Thumbnailer.class);
    private static final String PROCESSOR = ProcessingResult.THUMBNAILER;

    private final SourceFetcher fetcher;
    private final DerivativeStore store;
    private final ThumbnailRenderer renderer;
    private final Results results;

    public Thumbnailer(SourceFetcher fetcher, DerivativeStore store, ThumbnailRenderer renderer, Results results) {
        this.fetcher = fetcher;
        this.store = store;
        this.renderer = renderer;
        this.results = results;
    }

    @Override
    public ProcessingResult process(SourceVersion source) {
        Optional<ProcessingResult> finished = store.finishedResult(DerivativeKeys.THUMBNAILS, source);
        if (finished.isPresent()) {
            LOG.info("thumbnailer: bucket={} key={} versionId={} already has its thumbnails; republishing",
                    source.bucket(), source.key(), source.versionOrNull());
            return finished.get();
        }
        try (FetchedObject object = fetcher.fetch(source, ContentType::thumbnailable)) {
            ContentType type = object.contentType();
            Facts bytes = new Facts(type.mimeType(), null, null, object.size(), object.sha256());
            if (type == ContentType.EMPTY) {
                return results.skipped(PROCESSOR, source, "zero-byte object: nothing to thumbnail", bytes);
            }
            if (!type.thumbnailable()) {
                return results.skipped(PROCESSOR, source, "not a supported image: " + type.mimeType(), bytes);
            }
            ExifData exif = ExifReader.read(object.file(), type);
            ThumbnailRenderer.Rendering rendering;
            try {
                rendering = renderer.render(object.file(), type, ExifReader.orientation(exif));
            } catch (ImageRejectedException e) {
                return results.failed(PROCESSOR, source, e.getMessage(), bytes);
            }
            List<Thumbnail> thumbnails = new ArrayList<>();
            for (ThumbnailRenderer.RenderedThumbnail rendered : rendering.thumbnails()) {
                EncodedImage image = rendered.image();
                String key = DerivativeKeys.thumbnail(source, rendered.size(), image.extension());
                store.putThumbnail(key, image.bytes(), image.contentType(), source, PROCESSOR);
                thumbnails.add(new Thumbnail(rendered.size(), image.width(), image.height(), image.contentType(),
                        store.bucket(), key, image.bytes().length));
            }
            Facts facts = new Facts(type.mimeType(), rendering.displayWidth(), rendering.displayHeight(),
                    object.size(), object.sha256());
            // EXIF belongs to the metadata processor's result; the thumbnailer reports only what it made.
            ProcessingResult result = results.succeeded(PROCESSOR, source, facts, null, List.copyOf(thumbnails));
            store.putResult(DerivativeKeys.THUMBNAILS, source, result);
            return result;
        } catch (SourceGoneException e) {
            return results.failed(PROCESSOR, source, e.getMessage(), null);
        }
    }
}
