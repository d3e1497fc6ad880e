package dev.filetrail.lambda.image;

/**
 * Downscales {@link Pixels} the way libvips' {@code vips_resize} does: an integer box shrink for the bulk of
 * the reduction, leaving at least a factor of two, then a separable Lanczos-3 reduce for the rest. The box step
 * keeps the cost proportional to the input size; the Lanczos step gives vipsthumbnail's sharpness without
 * aliasing. Alpha is premultiplied while filtering so transparent pixels do not bleed their colour.
 */
public final class Resampler {
    private static final int LANCZOS_A = 3;

    private Resampler() {
    }

    /** The size of a thumbnail whose long side is {@code longSide}, never larger than the source. */
    public static int[] fitWithin(int width, int height, int longSide) {
        int sourceLong = Math.max(width, height);
        if (sourceLong <= longSide) {
            return new int[] {width, height};
        }
        double scale = (double) longSide / sourceLong;
        int w = width >= height ? longSide : Math.max(1, (int) Math.round(width * scale));
        int h = height > width ? longSide : Math.max(1, (int) Math.round(height * scale));
        return new int[] {w, h};
    }

    public static Pixels resize(Pixels source, int width, int height) {
        if (width == source.width() && height == source.height()) {
            return source;
        }
        boolean alpha = source.hasAlphaChannel();
        Pixels working = alpha ? premultiplied(source) : source;
        int boxX = boxFactor((double) working.width() / width);
        int boxY = boxFactor((double) working.height() / height);
        if (boxX > 1 || boxY > 1) {
            working = boxShrink(working, boxX, boxY);
        }
        working = lanczos(working, width, height);
        return alpha ? unpremultiplied(working) : working;
    }

    private static int boxFactor(double scale) {
        // As vips_resize with its default gap of 2: shrink by whole factors but leave Lanczos at least 2x.
        return Math.max(1, (int) Math.floor(scale / 2.0));
    }

    static Pixels boxShrink(Pixels in, int fx, int fy) {
        int ch = in.channels();
        int outW = (in.width() + fx - 1) / fx;
        int outH = (in.height() + fy - 1) / fy;
        byte[] src = in.data();
        byte[] dst = new byte[outW * outH * ch];
        int[] acc = new int[outW * ch];
        int inRowBytes = in.width() * ch;
        for (int oy = 0; oy < outH; oy++) {
            java.util.Arrays.fill(acc, 0);
            int y0 = oy * fy;
            int y1 = Math.min(in.height(), y0 + fy);
            for (int y = y0; y < y1; y++) {
                int rowStart = y * inRowBytes;
                for (int ox = 0; ox < outW; ox++) {
                    int x0 = ox * fx;
                    int x1 = Math.min(in.width(), x0 + fx);
                    int a = ox * ch;
                    int s = rowStart + x0 * ch;
                    int end = rowStart + x1 * ch;
                    if (ch == 3) {
                        int r = 0;
                        int g = 0;
                        int b = 0;
                        for (; s < end; s += 3) {
                            r += src[s] & 0xFF;
                            g += src[s + 1] & 0xFF;
                            b += src[s + 2] & 0xFF;
                        }
                        acc[a] += r;
                        acc[a + 1] += g;
                        acc[a + 2] += b;
                    } else {
                        for (; s < end; s += ch) {
                            for (int c = 0; c < ch; c++) {
                                acc[a + c] += src[s + c] & 0xFF;
                            }
                        }
                    }
                }
            }
            int rows = y1 - y0;
            int o = oy * outW * ch;
            for (int ox = 0; ox < outW; ox++) {
                int cols = Math.min(in.width(), ox * fx + fx) - ox * fx;
                int n = cols * rows;
                int half = n / 2;
                for (int c = 0; c < ch; c++) {
                    dst[o++] = (byte) ((acc[ox * ch + c] + half) / n);
                }
            }
        }
        return new Pixels(outW, outH, ch, dst);
    }

    /**
     * Separable Lanczos-3: vertical first (whole rows at a time, a loop the JIT vectorises) into a float buffer
     * of the output height, then horizontal into bytes. The heavy pass touches contiguous memory.
     */
    static Pixels lanczos(Pixels in, int outW, int outH) {
        int ch = in.channels();
        int inW = in.width();
        int inH = in.height();
        byte[] src = in.data();
        Taps tx = Taps.of(inW, outW);
        Taps ty = Taps.of(inH, outH);
        int rowLength = inW * ch;

        float[] mid = new float[rowLength * outH];
        for (int oy = 0; oy < outH; oy++) {
            int start = ty.start[oy];
            int count = ty.count[oy];
            int w = ty.offset[oy];
            int o = oy * rowLength;
            for (int k = 0; k < count; k++) {
                float weight = ty.weights[w + k];
                int row = (start + k) * rowLength;
                for (int i = 0; i < rowLength; i++) {
                    mid[o + i] += weight * (src[row + i] & 0xFF);
                }
            }
        }

        byte[] dst = new byte[outW * outH * ch];
        for (int y = 0; y < outH; y++) {
            int rowIn = y * rowLength;
            int rowOut = y * outW * ch;
            for (int ox = 0; ox < outW; ox++) {
                int count = tx.count[ox];
                int w = tx.offset[ox];
                int s = rowIn + tx.start[ox] * ch;
                int o = rowOut + ox * ch;
                if (ch == 3) {
                    float r = 0;
                    float g = 0;
                    float b = 0;
                    for (int k = 0; k < count; k++, s += 3) {
                        float weight = tx.weights[w + k];
                        r += weight * mid[s];
                        g += weight * mid[s + 1];
                        b += weight * mid[s + 2];
                    }
                    dst[o] = clamp(r);
                    dst[o + 1] = clamp(g);
                    dst[o + 2] = clamp(b);
                } else {
                    float r = 0;
                    float g = 0;
                    float b = 0;
                    float a = 0;
                    for (int k = 0; k < count; k++, s += 4) {
                        float weight = tx.weights[w + k];
                        r += weight * mid[s];
                        g += weight * mid[s + 1];
                        b += weight * mid[s + 2];
                        a += weight * mid[s + 3];
                    }
                    dst[o] = clamp(r);
                    dst[o + 1] = clamp(g);
                    dst[o + 2] = clamp(b);
                    dst[o + 3] = clamp(a);
                }
            }
        }
        return new Pixels(outW, outH, ch, dst);
    }

    private static byte clamp(float v) {
        int i = (int) (v + 0.5f);
        return (byte) (i < 0 ? 0 : Math.min(i, 255));
    }

    private static Pixels premultiplied(Pixels in) {
        byte[] src = in.data();
        byte[] dst = new byte[src.length];
        for (int i = 0; i < src.length; i += 4) {
            int a = src[i + 3] & 0xFF;
            dst[i] = (byte) (((src[i] & 0xFF) * a + 127) / 255);
            dst[i + 1] = (byte) (((src[i + 1] & 0xFF) * a + 127) / 255);
            dst[i + 2] = (byte) (((src[i + 2] & 0xFF) * a + 127) / 255);
            dst[i + 3] = (byte) a;
        }
        return new Pixels(in.width(), in.height(), 4, dst);
    }

    private static Pixels unpremultiplied(Pixels in) {
        byte[] data = in.data();
        for (int i = 0; i < data.length; i += 4) {
            int a = data[i + 3] & 0xFF;
            if (a == 0) {
                data[i] = 0;
                data[i + 1] = 0;
                data[i + 2] = 0;
            } else if (a != 255) {
                data[i] = (byte) Math.min(255, ((data[i] & 0xFF) * 255 + a / 2) / a);
                data[i + 1] = (byte) Math.min(255, ((data[i + 1] & 0xFF) * 255 + a / 2) / a);
                data[i + 2] = (byte) Math.min(255, ((data[i + 2] & 0xFF) * 255 + a / 2) / a);
            }
        }
        return in;
    }

    /** Precomputed filter taps of one axis: for each output index, a run of input indices and their weights. */
    private record Taps(int[] start, int[] count, int[] offset, float[] weights) {
        static Taps of(int in, int out) {
            double scale = (double) in / out;
            double filterScale = Math.max(1.0, scale);
            double support = LANCZOS_A * filterScale;
            int maxTaps = (int) Math.ceil(support * 2) + 2;
            int[] start = new int[out];
            int[] count = new int[out];
            int[] offset = new int[out];
            float[] weights = new float[out * maxTaps];
            double[] tmp = new double[maxTaps];
            int used = 0;
            for (int o = 0; o < out; o++) {
                double center = (o + 0.5) * scale - 0.5;
                int lo = Math.max(0, (int) Math.ceil(center - support));
                int hi = Math.min(in - 1, (int) Math.floor(center + support));
                double sum = 0;
                int n = 0;
                for (int i = lo; i <= hi; i++, n++) {
                    double w = lanczos((i - center) / filterScale);
                    tmp[n] = w;
                    sum += w;
                }
                start[o] = lo;
                count[o] = n;
                offset[o] = used;
                for (int k = 0; k < n; k++) {
                    weights[used + k] = (float) (tmp[k] / sum);
                }
                used += n;
            }
            return new Taps(start, count, offset, weights);
        }

        private static double lanczos(double x) {
            if (x == 0) {
                return 1;
            }
            if (x <= -LANCZOS_A || x >= LANCZOS_A) {
                return 0;
            }
            double px = Math.PI * x;
            return LANCZOS_A * Math.sin(px) * Math.sin(px / LANCZOS_A) / (px * px);
        }
    }
}
