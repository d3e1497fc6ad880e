package dev.filetrail.lambda.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Encodes thumbnails: PNG when some pixel is transparent, JPEG otherwise. Only pixels are written, never the
 * source's metadata, so no EXIF (and no GPS position) ever reaches a thumbnail.
 */
public final class ThumbnailEncoder {
    private final float jpegQuality;

    public ThumbnailEncoder(float jpegQuality) {
        if (jpegQuality <= 0 || jpegQuality > 1) {
            throw new IllegalArgumentException("JPEG quality is in (0, 1], not " + jpegQuality);
        }
        this.jpegQuality = jpegQuality;
    }

    /** PNG when some pixel is transparent, JPEG otherwise. */
    public EncodedImage encode(Pixels pixels) {
        return encode(pixels, pixels.hasTransparency());
    }

    /** PNG (keeping alpha) when {@code png}, otherwise JPEG (dropping any alpha channel). */
    public EncodedImage encode(Pixels pixels, boolean png) {
        if (png) {
            if (!pixels.hasAlphaChannel()) {
                return new EncodedImage(png(withOpaqueAlpha(pixels)), "image/png", "png", pixels.width(),
                        pixels.height());
            }
            return new EncodedImage(png(pixels), "image/png", "png", pixels.width(), pixels.height());
        }
        return new EncodedImage(jpeg(pixels.withoutAlpha()), "image/jpeg", "jpg", pixels.width(), pixels.height());
    }

    private static Pixels withOpaqueAlpha(Pixels rgb) {
        byte[] src = rgb.data();
        byte[] rgba = new byte[rgb.width() * rgb.height() * 4];
        for (int i = 0, o = 0; i < src.length; i += 3, o += 4) {
            rgba[o] = src[i];
            rgba[o + 1] = src[i + 1];
            rgba[o + 2] = src[i + 2];
            rgba[o + 3] = (byte) 0xFF;
        }
        return new Pixels(rgb.width(), rgb.height(), 4, rgba);
    }

    byte[] jpeg(Pixels rgb) {
        BufferedImage image = new BufferedImage(rgb.width(), rgb.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        byte[] src = rgb.data();
        for (int i = 0; i < src.length; i += 3) {
            bgr[i] = src[i + 2];
            bgr[i + 1] = src[i + 1];
            bgr[i + 2] = src[i];
        }
        ImageWriter writer = writer("jpeg");
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(jpegQuality);
        param.setProgressiveMode(ImageWriteParam.MODE_DISABLED);
        return write(writer, image, param);
    }

    byte[] png(Pixels rgba) {
        BufferedImage image = new BufferedImage(rgba.width(), rgba.height(), BufferedImage.TYPE_4BYTE_ABGR);
        byte[] abgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        byte[] src = rgba.data();
        for (int i = 0; i < src.length; i += 4) {
            abgr[i] = src[i + 3];
            abgr[i + 1] = src[i + 2];
            abgr[i + 2] = src[i + 1];
            abgr[i + 3] = src[i];
        }
        ImageWriter writer = writer("png");
        return write(writer, image, writer.getDefaultWriteParam());
    }

    private static ImageWriter writer(String format) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
        if (!writers.hasNext()) {
            throw new IllegalStateException("the JDK always ships a " + format + " writer");
        }
        return writers.next();
    }

    private static byte[] write(ImageWriter writer, BufferedImage image, ImageWriteParam param) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 * 1024);
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding to memory cannot fail", e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
