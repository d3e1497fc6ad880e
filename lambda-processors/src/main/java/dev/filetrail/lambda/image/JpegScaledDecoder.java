package dev.filetrail.lambda.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Decodes baseline (sequential Huffman, 8-bit) JPEGs at 1/2, 1/4 or 1/8 scale straight from the DCT
 * coefficients, as libjpeg's scaled decoding (and so vipsthumbnail's shrink-on-load) does. Each 8x8 block
 * yields n x n pixels that are the exact area average of its full inverse DCT, so the result is a properly
 * anti-aliased box downscale obtained without ever computing the full-size image: for a 12 MP photo that is
 * most of a thumbnail's work saved. Anything else (progressive, arithmetic, 12-bit, CMYK, unusual sampling)
 * reports {@link Unsupported} and is left to ImageIO.
 */
final class JpegScaledDecoder {
    private static final int[] ZIGZAG = {
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14,
        21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53,
        60, 61, 54, 47, 55, 62, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63};

    /** The file is a JPEG this decoder does not handle; ImageIO will. */
    static final class Unsupported extends Exception {
        Unsupported(String message) {
            super(message, null, false, false);
        }
    }

    /** What the frame header says, read before any entropy-coded data. */
    record Frame(int width, int height) {
    }

    private final int[][] quant = new int[4][];
    private final Huffman[] dc = new Huffman[4];
    private final Huffman[] ac = new Huffman[4];
    private int restartInterval;
    private boolean adobeRgb;
    private boolean adobe;
    private int width;
    private int height;
    private int[] compId;
    private int[] compH;
    private int[] compV;
    private int[] compQ;
    private int[] scanDc;
    private int[] scanAc;

    private JpegScaledDecoder() {
    }

    /** Reads the frame header only, for the pixel limit; {@link Unsupported} if the fast path cannot decode it. */
    static Frame frame(Path file) throws IOException, Unsupported {
        try (InputStream in = Files.newInputStream(file)) {
            JpegScaledDecoder decoder = new JpegScaledDecoder();
            decoder.readHeaders(new Bits(in), false);
            return new Frame(decoder.width, decoder.height);
        }
    }

    /**
     * Decodes at {@code n}/8 of the stored size ({@code n} is 1, 2 or 4).
     */
    static Pixels decode(Path file, int n) throws IOException, Unsupported {
        if (n != 1 && n != 2 && n != 4) {
            throw new IllegalArgumentException("scale numerator is 1, 2 or 4");
        }
        try (InputStream in = Files.newInputStream(file)) {
            JpegScaledDecoder decoder = new JpegScaledDecoder();
            Bits bits = new Bits(in);
            decoder.readHeaders(bits, true);
            return decoder.decodeScan(bits, n);
        }
    }

    private void readHeaders(Bits in, boolean throughScanHeader) throws IOException, Unsupported {
        if (in.readByte() != 0xFF || in.readByte() != 0xD8) {
            throw new Unsupported("no start of image");
        }
        while (true) {
            int marker = nextMarker(in);
            int length = in.readUnsigned16() - 2;
            if (length < 0) {
                throw new IOException("negative JPEG segment length");
            }
            switch (marker) {
                case 0xC0, 0xC1 -> {
                    readFrame(in, length);
                    if (!throughScanHeader) {
                        return;
                    }
                }
                case 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF ->
                        throw new Unsupported("not a baseline JPEG (SOF" + (marker - 0xC0) + ")");
                case 0xC4 -> readHuffman(in, length);
                case 0xDB -> readQuant(in, length);
                case 0xDD -> {
                    restartInterval = in.readUnsigned16();
                    in.skipBytes(length - 2);
                }
                case 0xEE -> readAdobe(in, length);
                case 0xDA -> {
                    if (compId == null) {
                        throw new IOException("scan before frame header");
                    }
                    readScanHeader(in, length);
                    return;
                }
                case 0xD9 -> throw new IOException("end of image before any scan");
                default -> in.skipBytes(length);
            }
        }
    }

    private static int nextMarker(Bits in) throws IOException {
        int b = in.readByte();
        while (b != 0xFF) {
            if (b < 0) {
                throw new IOException("premature end of JPEG headers");
            }
            b = in.readByte();
        }
        while (b == 0xFF) {
            b = in.readByte();
        }
        if (b < 0) {
            throw new IOException("premature end of JPEG headers");
        }
        return b;
    }

    private void readFrame(Bits in, int length) throws IOException, Unsupported {
        int precision = in.readByte();
        height = in.readUnsigned16();
        width = in.readUnsigned16();
        int components = in.readByte();
        if (precision != 8) {
            throw new Unsupported(precision + "-bit JPEG");
        }
        if (components != 1 && components != 3) {
            throw new Unsupported(components + "-component JPEG");
        }
        if (width == 0 || height == 0) {
            throw new Unsupported("JPEG with its height in a DNL marker");
        }
        compId = new int[components];
        compH = new int[components];
        compV = new int[components];
        compQ = new int[components];
        for (int i = 0; i < components; i++) {
            compId[i] = in.readByte();
            int sampling = in.readByte();
            compH[i] = sampling >> 4;
            compV[i] = sampling & 15;
            compQ[i] = in.readByte() & 3;
        }
        in.skipBytes(length - 6 - 3 * components);
        int maxH = max(compH);
        int maxV = max(compV);
        for (int i = 0; i < components; i++) {
            int fh = maxH / compH[i];
            int fv = maxV / compV[i];
            if (compH[i] < 1 || compV[i] < 1 || maxH % compH[i] != 0 || maxV % compV[i] != 0 || fh > 2 || fv > 2) {
                throw new Unsupported("chroma sampling " + compH[i] + "x" + compV[i] + " of " + maxH + "x" + maxV);
            }
        }
    }

    private void readScanHeader(Bits in, int length) throws IOException, Unsupported {
        int count = in.readByte();
        if (count != compId.length) {
            throw new Unsupported("multi-scan sequential JPEG");
        }
        scanDc = new int[count];
        scanAc = new int[count];
        for (int i = 0; i < count; i++) {
            int id = in.readByte();
            int tables = in.readByte();
            if (id != compId[i]) {
                throw new Unsupported("scan components out of frame order");
            }
            scanDc[i] = tables >> 4 & 3;
            scanAc[i] = tables & 3;
            if (dc[scanDc[i]] == null || ac[scanAc[i]] == null || quant[compQ[i]] == null) {
                throw new IOException("scan names a missing Huffman or quantization table");
            }
        }
        in.skipBytes(length - 1 - 2 * count);
    }

    private void readQuant(Bits in, int length) throws IOException {
        while (length > 0) {
            int pq = in.readByte();
            int[] table = new int[64];
            boolean wide = (pq >> 4) != 0;
            for (int k = 0; k < 64; k++) {
                table[ZIGZAG[k]] = wide ? in.readUnsigned16() : in.readByte();
            }
            quant[pq & 3] = table;
            length -= 1 + (wide ? 128 : 64);
        }
    }

    private void readHuffman(Bits in, int length) throws IOException {
        while (length > 0) {
            int tc = in.readByte();
            int[] counts = new int[17];
            int total = 0;
            for (int i = 1; i <= 16; i++) {
                counts[i] = in.readByte();
                total += counts[i];
            }
            if (total > 256) {
                throw new IOException("bad Huffman table");
            }
            int[] symbols = new int[total];
            for (int i = 0; i < total; i++) {
                symbols[i] = in.readByte();
            }
            Huffman table = new Huffman(counts, symbols);
            if ((tc >> 4) == 0) {
                dc[tc & 3] = table;
            } else {
                ac[tc & 3] = table;
            }
            length -= 17 + total;
        }
    }

    private void readAdobe(Bits in, int length) throws IOException {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) in.readByte();
        }
        if (length >= 12 && data[0] == 'A' && data[1] == 'd' && data[2] == 'o' && data[3] == 'b' && data[4] == 'e') {
            adobe = true;
            adobeRgb = data[11] == 0;
        }
    }

    private Pixels decodeScan(Bits bits, int n) throws IOException, Unsupported {
        int components = compId.length;
        int maxH = max(compH);
        int maxV = max(compV);
        int mcuW = 8 * maxH;
        int mcuH = 8 * maxV;
        int mcusX = (width + mcuW - 1) / mcuW;
        int mcusY = (height + mcuH - 1) / mcuH;
        if (components == 1) {
            // A single-component scan is never interleaved: its MCU is one block, whatever the sampling says.
            maxH = 1;
            maxV = 1;
            compH[0] = 1;
            compV[0] = 1;
            mcusX = (width + 7) / 8;
            mcusY = (height + 7) / 8;
        }
        // Per component: a plane of n x n outputs per block.
        int[] planeW = new int[components];
        int[] planeH = new int[components];
        byte[][] planes = new byte[components][];
        float[][][] basis = new float[components][][];
        float[][] flat = new float[components][];
        for (int c = 0; c < components; c++) {
            planeW[c] = mcusX * compH[c] * n;
            planeH[c] = mcusY * compV[c] * n;
            planes[c] = new byte[planeW[c] * planeH[c]];
            basis[c] = scaledBasis(quant[compQ[c]], n);
            flat[c] = flatBasis(basis[c], n);
        }
        int[] predictor = new int[components];
        float[] block = new float[n * n];
        int mcusToRestart = restartInterval;
        for (int my = 0; my < mcusY; my++) {
            for (int mx = 0; mx < mcusX; mx++) {
                if (restartInterval > 0) {
                    if (mcusToRestart == 0) {
                        bits.restart();
                        java.util.Arrays.fill(predictor, 0);
                        mcusToRestart = restartInterval;
                    }
                    mcusToRestart--;
                }
                for (int c = 0; c < components; c++) {
                    for (int by = 0; by < compV[c]; by++) {
                        for (int bx = 0; bx < compH[c]; bx++) {
                            predictor[c] = n == 2
                                    ? decodeBlock2(bits, dc[scanDc[c]], ac[scanAc[c]], flat[c],
                                            quant[compQ[c]][0], predictor[c], block)
                                    : decodeBlock(bits, dc[scanDc[c]], ac[scanAc[c]], basis[c],
                                            quant[compQ[c]][0], predictor[c], block, n);
                            int ox = ((mx * compH[c]) + bx) * n;
                            int oy = ((my * compV[c]) + by) * n;
                            store(block, n, planes[c], planeW[c], ox, oy);
                        }
                    }
                }
            }
        }
        int outW = (width * n + 7) / 8;
        int outH = (height * n + 7) / 8;
        return colour(planes, planeW, maxH, maxV, outW, outH);
    }

    /**
     * Decodes one block's coefficients into {@code block} (n x n outputs, level-shifted later) and returns the
     * new DC predictor. Kept small and separate so the JIT compiles it well: it runs once per 64 pixels.
     */
    private static int decodeBlock(Bits bits, Huffman dcTable, Huffman acTable, float[][] basis, int dcQuant,
                                   int predictor, float[] block, int n) throws IOException {
        int s = dcTable.decode(bits);
        if (s != 0) {
            predictor += extend(bits.get(s), s);
        }
        float dcValue = predictor * dcQuant * 0.125f;
        for (int i = 0; i < block.length; i++) {
            block[i] = dcValue;
        }
        for (int k = 1; k < 64; ) {
            int rs = acTable.decode(bits);
            int r = rs >> 4;
            int size = rs & 15;
            if (size == 0) {
                if (r != 15) {
                    break;
                }
                k += 16;
                continue;
            }
            k += r;
            int value = extend(bits.get(size), size);
            if (n > 1 && k < 64) {
                float[] weights = basis[ZIGZAG[k] + 1];
                if (weights != null) {
                    for (int i = 0; i < block.length; i++) {
                        block[i] += value * weights[i];
                    }
                }
            }
            k++;
        }
        return predictor;
    }

    /**
     * {@link #decodeBlock} unrolled for the 1/4 scale (2x2 outputs per block), the common thumbnail case:
     * four accumulators in registers and one weight row per coefficient, zero rows included (cheaper than a
     * branch).
     */
    private static int decodeBlock2(Bits bits, Huffman dcTable, Huffman acTable, float[] weights, int dcQuant,
                                    int predictor, float[] block) throws IOException {
        int s = dcTable.decode(bits);
        if (s != 0) {
            predictor += extend(bits.get(s), s);
        }
        float b0 = predictor * dcQuant * 0.125f;
        float b1 = b0;
        float b2 = b0;
        float b3 = b0;
        for (int k = 1; k < 64; ) {
            int r;
            float value;
            if (bits.count < 16) {
                bits.fill();
            }
            int entry = acTable.fast[(int) (bits.accumulator >>> (bits.count - Huffman.FAST_BITS))
                    & ((1 << Huffman.FAST_BITS) - 1)];
            if (entry != 0) {
                // Code and extra bits in one lookup: the common case.
                bits.count -= entry & 0xFF;
                r = entry >> 8 & 0xFF;
                int v = entry >> 16;
                if (v == 0) {
                    if (r != 15) {
                        break;
                    }
                    k += 16;
                    continue;
                }
                value = v;
            } else {
                int rs = acTable.decode(bits);
                r = rs >> 4;
                int size = rs & 15;
                if (size == 0) {
                    if (r != 15) {
                        break;
                    }
                    k += 16;
                    continue;
                }
                value = extend(bits.get(size), size);
            }
            k += r;
            int w = ZIGZAG[k] << 2;
            b0 += value * weights[w];
            b1 += value * weights[w + 1];
            b2 += value * weights[w + 2];
            b3 += value * weights[w + 3];
            k++;
        }
        block[0] = b0;
        block[1] = b1;
        block[2] = b2;
        block[3] = b3;
        return predictor;
    }

    /** The AC weights of {@link #scaledBasis} as one array, four per natural index, zeros where null. */
    private static float[] flatBasis(float[][] basis, int n) {
        float[] flat = new float[64 * n * n];
        for (int natural = 1; natural < 64; natural++) {
            float[] weights = basis[natural + 1];
            if (weights != null) {
                System.arraycopy(weights, 0, flat, natural * n * n, n * n);
            }
        }
        return flat;
    }

    private static void store(float[] block, int n, byte[] plane, int planeWidth, int ox, int oy) {
        for (int y = 0; y < n; y++) {
            int row = (oy + y) * planeWidth + ox;
            for (int x = 0; x < n; x++) {
                int v = (int) Math.floor(block[y * n + x] + 128.5f);
                plane[row + x] = (byte) (v < 0 ? 0 : Math.min(v, 255));
            }
        }
    }

    /**
     * For each coefficient (natural order), the weights it adds to each of the n x n outputs: the average of
     * its cosine basis over each output's (8/n)^2 pixels, times its quantization step. Index 0 holds the DC
     * entry, index natural+1 the rest (null where the weights are all zero).
     */
    private static float[][] scaledBasis(int[] q, int n) {
        int span = 8 / n;
        double[][] axis = new double[n][8];
        for (int i = 0; i < n; i++) {
            for (int u = 0; u < 8; u++) {
                double sum = 0;
                for (int x = i * span; x < (i + 1) * span; x++) {
                    sum += Math.cos((2 * x + 1) * u * Math.PI / 16);
                }
                double cu = u == 0 ? Math.sqrt(0.5) : 1;
                axis[i][u] = 0.5 * cu * sum / span;
            }
        }
        float[][] basis = new float[65][];
        basis[0] = new float[] {1};
        for (int natural = 1; natural < 64; natural++) {
            int v = natural / 8;
            int u = natural % 8;
            float[] weights = new float[n * n];
            boolean any = false;
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++) {
                    double w = axis[y][v] * axis[x][u] * q[natural];
                    if (Math.abs(w) > 1e-9) {
                        any = true;
                    }
                    weights[y * n + x] = (float) w;
                }
            }
            basis[natural + 1] = any ? weights : null;
        }
        return basis;
    }

    private Pixels colour(byte[][] planes, int[] planeW, int maxH, int maxV, int outW, int outH) {
        byte[] rgb = new byte[outW * outH * 3];
        if (planes.length == 1) {
            byte[] y = planes[0];
            for (int row = 0; row < outH; row++) {
                for (int x = 0; x < outW; x++) {
                    byte v = y[row * planeW[0] + x];
                    int o = (row * outW + x) * 3;
                    rgb[o] = v;
                    rgb[o + 1] = v;
                    rgb[o + 2] = v;
                }
            }
            return new Pixels(outW, outH, 3, rgb);
        }
        byte[] c0 = upsampled(planes[0], planeW[0], maxH / compH[0], maxV / compV[0], outW, outH);
        byte[] c1 = upsampled(planes[1], planeW[1], maxH / compH[1], maxV / compV[1], outW, outH);
        byte[] c2 = upsampled(planes[2], planeW[2], maxH / compH[2], maxV / compV[2], outW, outH);
        boolean rgbColourSpace = adobe ? adobeRgb : (compId[0] == 'R' && compId[1] == 'G' && compId[2] == 'B');
        for (int i = 0, o = 0; i < c0.length; i++, o += 3) {
            if (rgbColourSpace) {
                rgb[o] = c0[i];
                rgb[o + 1] = c1[i];
                rgb[o + 2] = c2[i];
                continue;
            }
            // JFIF YCbCr to RGB in 16.16 fixed point, as libjpeg's tables compute it.
            int y = (c0[i] & 0xFF) << 16;
            int cb = (c1[i] & 0xFF) - 128;
            int cr = (c2[i] & 0xFF) - 128;
            rgb[o] = clampFixed(y + 91881 * cr);
            rgb[o + 1] = clampFixed(y - 22554 * cb - 46802 * cr);
            rgb[o + 2] = clampFixed(y + 116130 * cb);
        }
        return new Pixels(outW, outH, 3, rgb);
    }

    /**
     * A plane brought to the output size: copied, or upsampled 2x with libjpeg's "fancy" triangle filter
     * (weights 3/4 and 1/4 towards the nearer and farther source sample), in integers.
     */
    private static byte[] upsampled(byte[] plane, int planeW, int fx, int fy, int outW, int outH) {
        byte[] out = new byte[outW * outH];
        int planeH = plane.length / planeW;
        int[] xa = new int[outW];
        int[] xb = new int[outW];
        for (int x = 0; x < outW; x++) {
            if (fx == 1) {
                xa[x] = Math.min(x, planeW - 1);
                xb[x] = xa[x];
            } else {
                int near = Math.min(x >> 1, planeW - 1);
                int far = (x & 1) == 0 ? near - 1 : near + 1;
                xa[x] = near;
                xb[x] = Math.max(0, Math.min(planeW - 1, far));
            }
        }
        int hx = fx == 1 ? 4 : 3;
        for (int y = 0; y < outH; y++) {
            int nearRow;
            int farRow;
            if (fy == 1) {
                nearRow = Math.min(y, planeH - 1);
                farRow = nearRow;
            } else {
                nearRow = Math.min(y >> 1, planeH - 1);
                farRow = Math.max(0, Math.min(planeH - 1, (y & 1) == 0 ? nearRow - 1 : nearRow + 1));
            }
            int a = nearRow * planeW;
            int b = farRow * planeW;
            int o = y * outW;
            for (int x = 0; x < outW; x++) {
                int near = (plane[a + xa[x]] & 0xFF) * hx + (plane[a + xb[x]] & 0xFF) * (4 - hx);
                int far = (plane[b + xa[x]] & 0xFF) * hx + (plane[b + xb[x]] & 0xFF) * (4 - hx);
                out[o + x] = (byte) ((near * 3 + far + 8) >> 4);
            }
        }
        return out;
    }

    private static byte clampFixed(int v) {
        int i = (v + 32768) >> 16;
        return (byte) (i < 0 ? 0 : Math.min(i, 255));
    }


    private static int extend(int value, int size) {
        return value < (1 << (size - 1)) ? value - (1 << size) + 1 : value;
    }

    private static int max(int[] values) {
        int m = 0;
        for (int v : values) {
            m = Math.max(m, v);
        }
        return m;
    }

    /** Canonical Huffman decoding with a 9-bit lookahead table and libjpeg's slow path for longer codes. */
    private static final class Huffman {
        private static final int LOOKAHEAD = 9;
        static final int FAST_BITS = 10;
        private final int[] lookup = new int[1 << LOOKAHEAD];
        /**
         * For AC tables, libjpeg-turbo's trick: when a code and its extra bits fit in FAST_BITS, one entry gives
         * the coefficient value (bits 16+), the zero run (8–15) and the bits consumed (0–7); EOB and ZRL have
         * value 0. Zero entries fall back to {@link #decode}.
         */
        final int[] fast = new int[1 << FAST_BITS];
        private final int[] maxCode = new int[18];
        private final int[] valOffset = new int[17];
        private final int[] symbols;

        Huffman(int[] counts, int[] symbols) throws IOException {
            this.symbols = symbols;
            int code = 0;
            int k = 0;
            for (int length = 1; length <= 16; length++) {
                valOffset[length] = k - code;
                for (int i = 0; i < counts[length]; i++, k++, code++) {
                    if (length <= LOOKAHEAD) {
                        int shift = LOOKAHEAD - length;
                        int from = code << shift;
                        int to = (code + 1) << shift;
                        if (to > lookup.length) {
                            throw new IOException("bad Huffman table");
                        }
                        for (int j = from; j < to; j++) {
                            lookup[j] = length << 8 | symbols[k];
                        }
                    }
                }
                maxCode[length] = counts[length] > 0 ? code - 1 : -1;
                if (code > (1 << length)) {
                    throw new IOException("bad Huffman table");
                }
                code <<= 1;
            }
            maxCode[17] = Integer.MAX_VALUE;
            code = 0;
            k = 0;
            for (int length = 1; length <= 16; length++) {
                for (int i = 0; i < counts[length]; i++, k++, code++) {
                    int rs = symbols[k];
                    int size = rs & 15;
                    int total = length + size;
                    if (total > FAST_BITS) {
                        continue;
                    }
                    int spare = FAST_BITS - total;
                    for (int extra = 0; extra < (1 << size); extra++) {
                        int value = size == 0 ? 0 : extend(extra, size);
                        int entry = value << 16 | (rs >> 4) << 8 | total;
                        int from = ((code << size) | extra) << spare;
                        for (int j = 0; j < (1 << spare); j++) {
                            fast[from + j] = entry;
                        }
                    }
                }
                code <<= 1;
            }
        }

        int decode(Bits bits) throws IOException {
            if (bits.count < 16) {
                bits.fill();
            }
            int entry = lookup[(int) (bits.accumulator >>> (bits.count - LOOKAHEAD)) & ((1 << LOOKAHEAD) - 1)];
            if (entry != 0) {
                bits.count -= entry >> 8;
                return entry & 0xFF;
            }
            return slowDecode(bits);
        }

        private int slowDecode(Bits bits) throws IOException {
            int code = bits.peek(LOOKAHEAD);
            int length = LOOKAHEAD;
            while (length < 16 && (maxCode[length] < 0 || code > maxCode[length])) {
                length++;
                code = bits.peek(length);
            }
            if (maxCode[length] < 0 || code > maxCode[length]) {
                throw new IOException("corrupt JPEG: invalid Huffman code");
            }
            bits.skip(length);
            int index = code + valOffset[length];
            if (index < 0 || index >= symbols.length) {
                throw new IOException("corrupt JPEG: invalid Huffman code");
            }
            return symbols[index];
        }
    }

    /** Bytes and bits of a JPEG stream: headers byte-wise, entropy-coded data bit-wise with byte unstuffing. */
    private static final class Bits {
        private final InputStream in;
        private final byte[] buffer = new byte[64 * 1024];
        private int position;
        private int limit;
        private long accumulator;
        private int count;
        private int marker = -1;

        Bits(InputStream in) {
            this.in = in;
        }

        int readByte() throws IOException {
            if (position == limit) {
                limit = in.read(buffer, 0, buffer.length);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    return -1;
                }
            }
            return buffer[position++] & 0xFF;
        }

        int readUnsigned16() throws IOException {
            int hi = readByte();
            int lo = readByte();
            if (hi < 0 || lo < 0) {
                throw new IOException("premature end of JPEG headers");
            }
            return hi << 8 | lo;
        }

        void skipBytes(int n) throws IOException {
            for (int i = 0; i < n; i++) {
                if (readByte() < 0) {
                    throw new IOException("premature end of JPEG headers");
                }
            }
        }

        void fill() throws IOException {
            while (count <= 56) {
                int b = 0;
                if (marker < 0) {
                    b = readByte();
                    if (b == 0xFF) {
                        int next = readByte();
                        while (next == 0xFF) {
                            next = readByte();
                        }
                        if (next == 0) {
                            b = 0xFF;
                        } else {
                            // A marker ends the entropy-coded segment; decoding goes on with zero bits, as
                            // libjpeg does for truncated files, and a restart consumes the marker.
                            marker = next < 0 ? 0xD9 : next;
                            b = 0;
                        }
                    } else if (b < 0) {
                        marker = 0xD9;
                        b = 0;
                    }
                }
                accumulator = accumulator << 8 | b;
                count += 8;
            }
        }

        int peek(int n) throws IOException {
            if (count < n) {
                fill();
            }
            return (int) (accumulator >>> (count - n)) & ((1 << n) - 1);
        }

        void skip(int n) {
            count -= n;
        }

        int get(int n) throws IOException {
            if (count < n) {
                fill();
            }
            count -= n;
            return (int) (accumulator >>> count) & ((1 << n) - 1);
        }

        void restart() throws IOException {
            count = 0;
            accumulator = 0;
            if (marker < 0) {
                int b = readByte();
                while (b >= 0) {
                    if (b == 0xFF) {
                        int next = readByte();
                        while (next == 0xFF) {
                            next = readByte();
                        }
                        if (next != 0) {
                            marker = next;
                            break;
                        }
                    }
                    b = readByte();
                }
            }
            if (marker >= 0xD0 && marker <= 0xD7) {
                marker = -1;
            }
        }
    }
}
