package dev.filetrail.lambda.thumbnails;

import dev.filetrail.lambda.image.ContentType;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a tiny image through the whole pipeline once while the handler is constructed, i.e. in Lambda's init
 * phase (which runs on a full CPU, and is what SnapStart snapshots), so the first real event does not pay for
 * loading ImageIO codecs and the colour-conversion classes.
 */
final class Warmup {
    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);

    private Warmup() {
    }

    static void run(ThumbnailRenderer renderer) {
        long started = System.nanoTime();
        Path file = null;
        try {
            BufferedImage image = new BufferedImage(96, 64, BufferedImage.TYPE_3BYTE_BGR);
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 96; x++) {
                    image.setRGB(x, y, (x * 2) << 16 | (y * 3) << 8 | (x + y));
                }
            }
            file = Files.createTempFile("filetrail-warmup-", ".jpg");
            ImageIO.write(image, "jpeg", file.toFile());
            renderer.render(file, ContentType.JPEG, 6);
            LOG.debug("thumbnail pipeline warmed up in {} ms", (System.nanoTime() - started) / 1_000_000);
        } catch (Exception e) {
            LOG.warn("warm-up failed (the handler still works, the first event is just slower): {}", e.toString());
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a leftover file in /tmp is harmless
                }
            }
        }
    }
}
