package dev.filetrail.lambda.bench;

import dev.filetrail.lambda.image.ContentType;
import dev.filetrail.lambda.image.ImageDecoder;
import dev.filetrail.lambda.image.Pixels;
import dev.filetrail.lambda.image.Resampler;
import dev.filetrail.lambda.image.ThumbnailEncoder;
import dev.filetrail.lambda.metadata.ExifReader;
import dev.filetrail.lambda.thumbnails.ThumbnailRenderer;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.FileImageOutputStream;

/**
 * The thumbnail benchmark behind bench/thumbnail-vs-vips.sh. Modes:
 * <ul>
 *   <li>{@code generate OUT.jpg W H} writes the synthetic photo as a quality-90 JPEG;</li>
 *   <li>{@code time DIR SIZE WARMUP OUT.jpg} renders every JPEG in DIR (one file per thumbnail, as
 *       vipsthumbnail's batch mode does) after WARMUP untimed renders, and prints ms per thumbnail;</li>
 *   <li>{@code quality SOURCE.jpg SIZE VIPS.png} compares this module's thumbnail and vips's against a
 *       reference (full decode, Lanczos-3 straight from full resolution) and against each other.</li>
 * </ul>
 */
public final class ThumbnailBenchmark {
    private ThumbnailBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "generate" -> generate(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "time" -> time(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Path.of(args[4]));
            case "quality" -> quality(Path.of(args[1]), Integer.parseInt(args[2]), Path.of(args[3]),
                    args.length > 4 ? Double.parseDouble(args[4]) : 2.0);
            default -> throw new IllegalArgumentException("mode is generate, time or quality");
        }
    }

    private static void generate(Path out, int width, int height) throws IOException {
        BufferedImage image = SyntheticPhoto.render(width, height, 42);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.9f);
        Files.deleteIfExists(out);
        try (FileImageOutputStream stream = new FileImageOutputStream(out.toFile())) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        System.out.printf("generated %s: %dx%d, %d bytes%n", out, width, height, Files.size(out));
    }

    private static ThumbnailRenderer renderer(int size) {
        return new ThumbnailRenderer(new ImageDecoder(100_000_000L), new ThumbnailEncoder(0.85f), List.of(size));
    }

    /** What the thumbnail handler does per file, minus S3: sniff, EXIF, decode, resample, orient, encode. */
    private static byte[] thumbnail(ThumbnailRenderer renderer, Path file) throws Exception {
        ContentType type = ContentType.sniff(file);
        int orientation = ExifReader.orientation(ExifReader.read(file, type));
        return renderer.render(file, type, orientation).thumbnails().get(0).image().bytes();
    }

    private static void time(Path dir, int size, int warmup, Path out) throws Exception {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
        }
        ThumbnailRenderer renderer = renderer(size);
        for (int i = 0; i < warmup; i++) {
            thumbnail(renderer, files.get(i % files.size()));
        }
        long[] each = new long[files.size()];
        byte[] last = null;
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStarted = threads.getCurrentThreadCpuTime();
        long started = System.nanoTime();
        for (int i = 0; i < files.size(); i++) {
            long t = System.nanoTime();
            last = thumbnail(renderer, files.get(i));
            each[i] = System.nanoTime() - t;
        }
        double totalMs = (System.nanoTime() - started) / 1e6;
        double cpuMs = (threads.getCurrentThreadCpuTime() - cpuStarted) / 1e6;
        Files.write(out, last);
        Arrays.sort(each);
        System.out.printf("java: %d thumbnails, wall %.1f ms per thumbnail (median %.1f, min %.1f), cpu %.1f ms"
                + " per thumbnail%n", files.size(), totalMs / files.size(), each[each.length / 2] / 1e6,
                each[0] / 1e6, cpuMs / files.size());
    }

    private static void quality(Path source, int size, Path vipsPng, double oversample) throws Exception {
        BufferedImage vips = ImageIO.read(vipsPng.toFile());
        // This module's pipeline, before JPEG encoding (vips's PNG output is lossless too).
        ImageDecoder decoder = new ImageDecoder(100_000_000L, oversample);
        var decoded = decoder.decode(source, ContentType.JPEG, size);
        int[] dims = Resampler.fitWithin(decoded.header().width(), decoded.header().height(), size);
        BufferedImage ours = image(Resampler.resize(decoded.pixels(), dims[0], dims[1]));
        // Reference: every source pixel decoded, one Lanczos-3 pass from full resolution (no shortcuts).
        BufferedImage full = ImageIO.read(source.toFile());
        Pixels fullPixels = ImageDecoder.toPixels(full);
        BufferedImage reference = image(lanczosOnly(fullPixels, dims[0], dims[1]));
        ImageIO.write(ours, "png", new File(vipsPng.getParent().toFile(), "java-" + size + ".png"));
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"java vs vips", fmt(ImageQuality.psnr(ours, vips)), fmt4(ImageQuality.ssim(ours, vips))});
        rows.add(new String[] {"java vs reference", fmt(ImageQuality.psnr(ours, reference)),
                fmt4(ImageQuality.ssim(ours, reference))});
        rows.add(new String[] {"vips vs reference", fmt(ImageQuality.psnr(vips, reference)),
                fmt4(ImageQuality.ssim(vips, reference))});
        System.out.printf("quality of the %dx%d thumbnail (PSNR dB, SSIM):%n", dims[0], dims[1]);
        for (String[] row : rows) {
            System.out.printf("  %-20s PSNR %6s dB  SSIM %s%n", row[0], row[1], row[2]);
        }
    }

    private static Pixels lanczosOnly(Pixels full, int width, int height) throws Exception {
        var method = Resampler.class.getDeclaredMethod("lanczos", Pixels.class, int.class, int.class);
        method.setAccessible(true);
        return (Pixels) method.invoke(null, full, width, height);
    }

    private static BufferedImage image(Pixels rgb) {
        BufferedImage image = new BufferedImage(rgb.width(), rgb.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < rgb.height(); y++) {
            for (int x = 0; x < rgb.width(); x++) {
                image.setRGB(x, y, rgb.argb(x, y) & 0xFFFFFF);
            }
        }
        return image;
    }

    private static String fmt(double v) {
        return Double.isInfinite(v) ? "inf" : String.format("%.2f", v);
    }

    private static String fmt4(double v) {
        return String.format("%.4f", v);
    }
}
