package dev.filetrail.lambda.image;

/** Applies an EXIF orientation (1–8) so the thumbnail shows the picture the way the camera was held. */
public final class Orientation {
    private Orientation() {
    }

    /** Orientations 5–8 turn the picture a quarter, so its width and height swap. */
    public static boolean swapsAxes(int orientation) {
        return orientation >= 5 && orientation <= 8;
    }

    public static Pixels apply(Pixels in, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return in;
        }
        int w = in.width();
        int h = in.height();
        int ch = in.channels();
        boolean swap = swapsAxes(orientation);
        int outW = swap ? h : w;
        int outH = swap ? w : h;
        byte[] src = in.data();
        byte[] dst = new byte[src.length];
        int o = 0;
        for (int dy = 0; dy < outH; dy++) {
            for (int dx = 0; dx < outW; dx++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - dx; sy = dy; }
                    case 3 -> { sx = w - 1 - dx; sy = h - 1 - dy; }
                    case 4 -> { sx = dx; sy = h - 1 - dy; }
                    case 5 -> { sx = dy; sy = dx; }
                    case 6 -> { sx = dy; sy = h - 1 - dx; }
                    case 7 -> { sx = w - 1 - dy; sy = h - 1 - dx; }
                    default -> { sx = w - 1 - dy; sy = dx; }
                }
                System.arraycopy(src, (sy * w + sx) * ch, dst, o, ch);
                o += ch;
            }
        }
        return new Pixels(outW, outH, ch, dst);
    }
}
