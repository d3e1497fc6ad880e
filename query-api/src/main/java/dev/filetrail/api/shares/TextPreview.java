package dev.filetrail.api.shares;

import dev.filetrail.api.urls.CloudFrontSigner;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first lines of a small text file, read through the CloudFront distribution with a short-lived signed URL
 * and a {@code Range} header: the API needs no S3 permission of its own, and reads at most {@link #MAX_BYTES}.
 * Anything that is not valid UTF-8 text, or any failure to fetch it, means no preview (the page still opens).
 */
final class TextPreview {
    static final long MAX_FILE_BYTES = 1024 * 1024;
    static final int MAX_BYTES = 4096;
    static final int MAX_LINES = 20;
    private static final Logger log = LoggerFactory.getLogger(TextPreview.class);
    private static final Set<String> TEXT_TYPES = Set.of("application/json", "application/xml", "application/yaml",
            "application/x-yaml", "application/javascript", "application/x-sh", "application/sql", "application/toml");
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(3);

    private final CloudFrontSigner signer;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    TextPreview(CloudFrontSigner signer) {
        this.signer = signer;
    }

    /** The lines shown, and whether the file goes on after them. */
    record Lines(String text, boolean truncated) {
    }

    static boolean applies(String contentType, Long size) {
        if (contentType == null || size == null || size == 0 || size > MAX_FILE_BYTES) {
            return false;
        }
        String type = contentType.toLowerCase(Locale.ROOT).split(";")[0].trim();
        return type.startsWith("text/") || TEXT_TYPES.contains(type) || type.endsWith("+json") || type.endsWith("+xml");
    }

    Optional<Lines> read(String key, String versionId, long size) {
        String url = signer.sourceVersion(key, versionId, Duration.ofMinutes(1)).url();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(FETCH_TIMEOUT)
                .header("Range", "bytes=0-" + (MAX_BYTES - 1)).GET().build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200 && response.statusCode() != 206) {
                    log.warn("text preview not fetched key={} versionId={} status={}", key, versionId,
                            response.statusCode());
                    return Optional.empty();
                }
                byte[] bytes = body.readNBytes(MAX_BYTES);
                return lines(bytes, bytes.length < size);
            }
        } catch (IOException e) {
            log.warn("text preview not fetched key={} versionId={} reason={}", key, versionId, e.toString());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The first lines of {@code bytes}; a cut multi-byte character at the end is dropped, invalid UTF-8 is none. */
    static Optional<Lines> lines(byte[] bytes, boolean cut) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer chars = CharBuffer.allocate(bytes.length);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CoderResult result = decoder.decode(in, chars, !cut);
        if (result.isError() || (!cut && in.hasRemaining())) {
            return Optional.empty();
        }
        String text = chars.flip().toString();
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        StringBuilder out = new StringBuilder();
        int lines = 0;
        int start = 0;
        boolean truncated = cut;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (lines == MAX_LINES) {
                truncated = true;
                break;
            }
            String line = end < 0 ? text.substring(start) : text.substring(start, end);
            out.append(visible(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line)).append('\n');
            lines++;
            start = end < 0 ? text.length() : end + 1;
        }
        String shown = out.toString();
        if (shown.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new Lines(shown.endsWith("\n") ? shown.substring(0, shown.length() - 1) : shown, truncated));
    }

    /**
     * Control characters (other than tab) would be invisible or garble the page, and bidirectional overrides
     * could make the shown text read differently from the file: both are shown as U+FFFD.
     */
    private static String visible(String line) {
        StringBuilder out = new StringBuilder(line.length());
        line.codePoints().forEach(c -> {
            boolean control = c < 0x20 && c != '\t' || c >= 0x7f && c < 0xa0;
            boolean bidi = c >= 0x202a && c <= 0x202e || c >= 0x2066 && c <= 0x2069;
            if (control || bidi) {
                out.append('\uFFFD');
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
