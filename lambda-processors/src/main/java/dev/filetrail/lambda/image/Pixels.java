package dev.filetrail.lambda.image;

/**
 * An 8-bit raster, interleaved RGB (3 channels) or RGBA (4 channels, straight alpha), row-major and tightly
 * packed: the one pixel layout the resampler, the orientation step and the encoders share.
 */
public record Pixels(int width, int height, int channels, byte[] data) {

    public Pixels {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("empty raster " + width + "x" + height);
        }
        if (channels != 3 && channels != 4) {
            throw new IllegalArgumentException("3 or 4 channels, not " + channels);
        }
        if (data.length != (long) width * height * channels) {
            throw new IllegalArgumentException("raster of " + data.length + " bytes is not " + width + "x" + height
                    + "x" + channels);
        }
    }

    public static Pixels allocate(int width, int height, int channels) {
        return new Pixels(width, height, channels, new byte[Math.multiplyExact(Math.multiplyExact(width, height),
                channels)]);
    }

    public boolean hasAlphaChannel() {
        return channels == 4;
    }

    /** True when some pixel is not fully opaque: only then is a thumbnail worth a PNG instead of a JPEG. */
    public boolean hasTransparency() {
        if (channels != 4) {
            return false;
        }
        for (int i = 3; i < data.length; i += 4) {
            if (data[i] != (byte) 0xFF) {
                return true;
            }
        }
        return false;
    }

    /** The same picture without its alpha channel (which must be all opaque to mean anything). */
    public Pixels withoutAlpha() {
        if (channels == 3) {
            return this;
        }
        byte[] rgb = new byte[width * height * 3];
        for (int i = 0, o = 0; o < rgb.length; i += 4, o += 3) {
            rgb[o] = data[i];
            rgb[o + 1] = data[i + 1];
            rgb[o + 2] = data[i + 2];
        }
        return new Pixels(width, height, 3, rgb);
    }

    public int longSide() {
        return Math.max(width, height);
    }

    /** The red, green, blue (and alpha) of one pixel as 0xAARRGGBB, opaque when there is no alpha. */
    public int argb(int x, int y) {
        int i = (y * width + x) * channels;
        int a = channels == 4 ? data[i + 3] & 0xFF : 0xFF;
        return a << 24 | (data[i] & 0xFF) << 16 | (data[i + 1] & 0xFF) << 8 | (data[i + 2] & 0xFF);
    }
}
