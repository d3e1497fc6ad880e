package dev.filetrail.lambda.bench;

import java.awt.image.BufferedImage;

/** PSNR and SSIM between two same-sized RGB pictures, as image-quality studies compute them. */
public final class ImageQuality {
    private ImageQuality() {
    }

    /** PSNR in dB over the R, G and B channels (infinity when identical). */
    public static double psnr(BufferedImage a, BufferedImage b) {
        requireSameSize(a, b);
        double sum = 0;
        long n = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    int d = (p >> shift & 0xFF) - (q >> shift & 0xFF);
                    sum += d * d;
                    n++;
                }
            }
        }
        double mse = sum / n;
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
    }

    /** Mean SSIM of the luma (BT.601), with Wang et al.'s 11x11 Gaussian window (sigma 1.5), K1 0.01, K2 0.03. */
    public static double ssim(BufferedImage a, BufferedImage b) {
        requireSameSize(a, b);
        int w = a.getWidth();
        int h = a.getHeight();
        double[] x = luma(a);
        double[] y = luma(b);
        double[] kernel = new double[11];
        double total = 0;
        for (int i = 0; i < 11; i++) {
            kernel[i] = Math.exp(-((i - 5) * (i - 5)) / (2 * 1.5 * 1.5));
            total += kernel[i];
        }
        for (int i = 0; i < 11; i++) {
            kernel[i] /= total;
        }
        double c1 = Math.pow(0.01 * 255, 2);
        double c2 = Math.pow(0.03 * 255, 2);
        double sum = 0;
        int count = 0;
        for (int cy = 5; cy < h - 5; cy++) {
            for (int cx = 5; cx < w - 5; cx++) {
                double mx = 0;
                double my = 0;
                double xx = 0;
                double yy = 0;
                double xy = 0;
                for (int j = -5; j <= 5; j++) {
                    for (int i = -5; i <= 5; i++) {
                        double k = kernel[i + 5] * kernel[j + 5];
                        double px = x[(cy + j) * w + cx + i];
                        double py = y[(cy + j) * w + cx + i];
                        mx += k * px;
                        my += k * py;
                        xx += k * px * px;
                        yy += k * py * py;
                        xy += k * px * py;
                    }
                }
                double vx = xx - mx * mx;
                double vy = yy - my * my;
                double cov = xy - mx * my;
                sum += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
                count++;
            }
        }
        return sum / count;
    }

    private static double[] luma(BufferedImage image) {
        double[] out = new double[image.getWidth() * image.getHeight()];
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = image.getRGB(x, y);
                out[y * image.getWidth() + x] = 0.299 * (p >> 16 & 0xFF) + 0.587 * (p >> 8 & 0xFF) + 0.114 * (p & 0xFF);
            }
        }
        return out;
    }

    private static void requireSameSize(BufferedImage a, BufferedImage b) {
        if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
            throw new IllegalArgumentException("sizes differ: " + a.getWidth() + "x" + a.getHeight() + " vs "
                    + b.getWidth() + "x" + b.getHeight());
        }
    }
}
