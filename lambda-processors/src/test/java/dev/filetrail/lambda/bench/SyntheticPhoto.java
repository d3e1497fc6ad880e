package dev.filetrail.lambda.bench;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.SplittableRandom;

/** A deterministic photo-like picture: smooth sky, textured ground, hard edges and sensor noise. */
public final class SyntheticPhoto {
    private SyntheticPhoto() {
    }

    /**
     * Renders a {@code width}×{@code height} RGB image. The mix matters for a fair benchmark: flat synthetic
     * gradients compress to almost nothing and decode unrealistically fast, so texture and noise keep the JPEG's
     * entropy-coded size near a camera photo's (a few bits per pixel at quality 90).
     */
    public static BufferedImage render(int width, int height, long seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        SplittableRandom random = new SplittableRandom(seed);
        double horizon = height * 0.45;
        int circles = 24;
        double[][] blobs = new double[circles][6];
        for (double[] blob : blobs) {
            blob[0] = random.nextDouble() * width;
            blob[1] = random.nextDouble() * height;
            blob[2] = (0.02 + random.nextDouble() * 0.08) * width;
            blob[3] = random.nextInt(256);
            blob[4] = random.nextInt(256);
            blob[5] = random.nextInt(256);
        }
        for (int y = 0; y < height; y++) {
            double fy = (double) y / height;
            for (int x = 0; x < width; x++) {
                double fx = (double) x / width;
                double ridge = horizon + height * 0.06 * Math.sin(fx * 9.0 + 1.3) + height * 0.02 * Math.sin(fx * 41.0);
                double r;
                double g;
                double b;
                if (y < ridge) {
                    r = 90 + 80 * fy;
                    g = 140 + 70 * fy;
                    b = 230 - 30 * fy;
                    double cloud = Math.sin(fx * 13 + Math.sin(fy * 7) * 2) * Math.sin(fy * 17 + fx * 3);
                    if (cloud > 0.55) {
                        double k = (cloud - 0.55) * 2.2;
                        r += (250 - r) * k;
                        g += (250 - g) * k;
                        b += (250 - b) * k;
                    }
                } else {
                    double t = Math.sin(x * 0.9 + Math.sin(y * 0.13) * 3) * Math.sin(y * 0.7 + x * 0.05);
                    double grass = 0.5 + 0.5 * t;
                    r = 60 + 50 * grass + 40 * fy;
                    g = 110 + 70 * grass - 20 * fy;
                    b = 40 + 20 * grass;
                    if (((x / 37) + (y / 29)) % 11 == 0) {
                        r = 200;
                        g = 190;
                        b = 170;
                    }
                }
                for (double[] blob : blobs) {
                    double dx = x - blob[0];
                    double dy = y - blob[1];
                    if (dx * dx + dy * dy < blob[2] * blob[2]) {
                        double shade = 0.75 + 0.25 * (dx / blob[2]);
                        r = blob[3] * shade;
                        g = blob[4] * shade;
                        b = blob[5] * shade;
                    }
                }
                double noise = random.nextGaussian() * 4.0;
                int i = (y * width + x) * 3;
                bgr[i] = clamp(b + noise + random.nextGaussian() * 2.0);
                bgr[i + 1] = clamp(g + noise);
                bgr[i + 2] = clamp(r + noise + random.nextGaussian() * 2.0);
            }
        }
        return image;
    }

    private static byte clamp(double v) {
        return (byte) Math.max(0, Math.min(255, (int) Math.round(v)));
    }
}
