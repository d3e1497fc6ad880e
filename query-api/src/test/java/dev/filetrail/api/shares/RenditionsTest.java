package dev.filetrail.api.shares;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.api.files.FileQueries;
import dev.filetrail.events.history.FileVersion;
import dev.filetrail.events.processing.Thumbnail;
import java.util.List;
import org.junit.jupiter.api.Test;

class RenditionsTest {

    static Thumbnail thumb(int size, int width, int height) {
        return new Thumbnail(size, width, height, "image/png", "der", "_derivatives/t/" + size + ".png", 10);
    }

    static FileQueries.VersionRow version(Integer width, Integer height, List<Thumbnail> thumbnails) {
        return new FileQueries.VersionRow("v1", "o", "s", false, 100L, "e", "STANDARD", null, null, "image/png", null,
                null, new FileVersion.Derivatives("image/png", width, height, null, null, thumbnails, null), null, null);
    }

    static List<Integer> sizes(List<Thumbnail> thumbnails) {
        return thumbnails.stream().map(Thumbnail::size).toList();
    }

    @Test
    void withDownloadsEveryThumbnailSmallestFirstOnePerWidth() {
        var v = version(200, 150, List.of(thumb(1024, 200, 150), thumb(64, 64, 48), thumb(256, 200, 150)));
        assertThat(sizes(Renditions.allowed(true, v))).containsExactly(64, 256);
    }

    @Test
    void withoutDownloadsOnlyThumbnailsSmallerThanTheOriginal() {
        var large = version(1600, 1200, List.of(thumb(64, 64, 48), thumb(256, 256, 192), thumb(1024, 1024, 768)));
        assertThat(sizes(Renditions.allowed(false, large))).containsExactly(64, 256, 1024);
        var small = version(800, 600, List.of(thumb(64, 64, 48), thumb(256, 256, 192), thumb(1024, 800, 600)));
        assertThat(sizes(Renditions.allowed(false, small))).containsExactly(64, 256);
        var tiny = version(40, 30, List.of(thumb(64, 40, 30), thumb(256, 40, 30)));
        assertThat(Renditions.allowed(false, tiny)).isEmpty();
        var portrait = version(600, 900, List.of(thumb(256, 171, 256), thumb(1024, 600, 900)));
        assertThat(sizes(Renditions.allowed(false, portrait))).containsExactly(256);
    }

    @Test
    void unknownOriginalSizeTakesTheLargestThumbnailAsTheOriginal() {
        var unknown = version(null, null, List.of(thumb(64, 64, 48), thumb(1024, 1024, 768)));
        assertThat(sizes(Renditions.allowed(false, unknown))).containsExactly(64);
        assertThat(Renditions.allowed(false, version(null, null, null))).isEmpty();
        assertThat(Renditions.bySize(Renditions.allowed(true, unknown), 1024)).isPresent();
        assertThat(Renditions.bySize(Renditions.allowed(false, unknown), 1024)).isEmpty();
    }
}
