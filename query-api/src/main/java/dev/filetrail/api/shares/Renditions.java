package dev.filetrail.api.shares;

import dev.filetrail.api.files.FileQueries;
import dev.filetrail.events.history.FileVersion;
import dev.filetrail.events.processing.Thumbnail;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The thumbnails a share page may show, smallest first. A link without downloads gets only renditions whose
 * long side is smaller than the original's: the thumbnailer never upscales, so a thumbnail of a small image
 * is the image itself at full size, and showing it would hand out what the owner chose not to.
 */
final class Renditions {
    private Renditions() {
    }

    static List<Thumbnail> allowed(boolean allowDownload, FileQueries.VersionRow version) {
        FileVersion.Derivatives derivatives = version.derivatives();
        if (derivatives == null || derivatives.thumbnails() == null) {
            return List.of();
        }
        // One per width: a srcset may not name a width twice, and small images give equal thumbnails.
        List<Thumbnail> all = new ArrayList<>();
        derivatives.thumbnails().stream()
                .filter(t -> t.width() > 0 && t.height() > 0)
                .sorted(Comparator.comparingInt(Thumbnail::width).thenComparingInt(Thumbnail::size))
                .forEach(t -> {
                    if (all.isEmpty() || all.get(all.size() - 1).width() != t.width()) {
                        all.add(t);
                    }
                });
        if (allowDownload) {
            return List.copyOf(all);
        }
        // Unknown original dimensions: the largest thumbnail may be the original itself, so it is the bound.
        int originalLongSide = derivatives.width() != null && derivatives.height() != null
                ? Math.max(derivatives.width(), derivatives.height())
                : all.stream().mapToInt(Renditions::longSide).max().orElse(0);
        return all.stream().filter(t -> longSide(t) < originalLongSide).toList();
    }

    static Optional<Thumbnail> bySize(List<Thumbnail> allowed, int size) {
        return allowed.stream().filter(t -> t.size() == size).findFirst();
    }

    private static int longSide(Thumbnail t) {
        return Math.max(t.width(), t.height());
    }
}
