package dev.filetrail.api.shares;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The HTML of the share page: the file (preview, name, type, size, download or why not, version, expiry, who
 * shared it), the password form, and the short message pages. Markup only, no script: the page's CSP allows
 * none. Every value from the outside is escaped here.
 */
final class SharePageView {
    /** What the preview area shows: one of image, text or neither (then an icon for the type). */
    record Image(String src, String srcset, String sizes, int width, int height) {
    }

    /**
     * Everything the file page shows; null parts are left out. {@code signingUnavailable}: the API has no
     * URL-signing key yet (a first deploy), so a link that allows downloads cannot give one right now.
     */
    record FileView(String name, String contentType, Long size, String downloadHref, Image image,
                    TextPreview.Lines text, boolean followsLatest, Instant versionDate, Instant expiresAt,
                    String sharedBy, boolean signingUnavailable) {
    }

    /** The {@code sizes} that match the layout below: the preview column's width, less its padding. */
    static final String IMAGE_SIZES = "(min-width: 48rem) calc((min(100vw, 64rem) - 4rem) * 0.6 - 3rem), "
            + "calc(100vw - 3.5rem)";

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm 'UTC'", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    private static final String CSS = ":root{--ink:#1b1f24;--muted:#57606a;--line:#d7dde3;--accent:#0a58ca;"
            + "--accent-dark:#084298;--bg:#f3f5f7;--soft:#eef1f4;--error:#b42318}"
            + "*,*::before,*::after{box-sizing:border-box}"
            + "html{-webkit-text-size-adjust:100%;text-size-adjust:100%}"
            + "body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.5 system-ui,-apple-system,\"Segoe UI\","
            + "Roboto,\"Noto Sans\",\"Helvetica Neue\",Arial,sans-serif}"
            + ".wrap{max-width:64rem;margin:0 auto;padding:.75rem 1rem 2rem}"
            + ".narrow{max-width:30rem}"
            + ".brand{margin:0 0 .75rem;font-size:.875rem;font-weight:600;color:var(--muted);display:flex;"
            + "align-items:center;gap:.4rem}"
            + ".brand svg{color:var(--accent)}"
            + ".card{background:#fff;border:1px solid var(--line);border-radius:14px;overflow:hidden;"
            + "box-shadow:0 1px 2px rgba(27,31,36,.06),0 8px 24px rgba(27,31,36,.06)}"
            + ".preview{margin:0;background:var(--soft);display:flex;align-items:center;justify-content:center;"
            + "padding:.75rem;min-height:9rem;border-bottom:1px solid var(--line)}"
            + ".preview img{display:block;max-width:100%;max-height:42vh;width:auto;height:auto;border-radius:6px}"
            + ".preview.text{display:block;padding:0;background:#fff}"
            + ".preview pre{margin:0;padding:1rem;max-height:42vh;overflow:auto;font:13px/1.5 ui-monospace,"
            + "SFMono-Regular,Menlo,Consolas,\"Liberation Mono\",monospace;white-space:pre-wrap;overflow-wrap:anywhere;"
            + "tab-size:4}"
            + ".preview figcaption{padding:.4rem 1rem;border-top:1px solid var(--line);font-size:.8125rem;"
            + "color:var(--muted);background:var(--soft)}"
            + ".info{padding:1.25rem}"
            + "h1{margin:0;font-size:1.375rem;line-height:1.3;overflow-wrap:anywhere}"
            + ".meta{margin:.25rem 0 1rem;color:var(--muted)}"
            + ".button{display:flex;align-items:center;justify-content:center;gap:.5rem;width:100%;min-height:3rem;"
            + "padding:.75rem 1.25rem;border:0;border-radius:10px;background:var(--accent);color:#fff;font:inherit;"
            + "font-weight:600;text-decoration:none;cursor:pointer}"
            + ".button:hover{background:var(--accent-dark)}"
            + "a:focus-visible,button:focus-visible,input:focus-visible,pre:focus-visible{outline:3px solid var(--ink);"
            + "outline-offset:3px}"
            + ".notice{display:flex;gap:.75rem;align-items:flex-start;margin:0;padding:.75rem 1rem;border-radius:10px;"
            + "background:var(--soft);border:1px solid var(--line)}"
            + ".notice svg{flex:none;margin-top:.15rem;color:var(--muted)}"
            + ".notice strong{display:block}"
            + ".details{display:grid;gap:.5rem;margin:1.25rem 0 0;padding-top:1rem;border-top:1px solid var(--line);"
            + "font-size:.9375rem}"
            + ".details div{display:grid;grid-template-columns:6rem minmax(0,1fr);gap:.75rem}"
            + ".details dt{color:var(--muted)}"
            + ".details dd{margin:0;overflow-wrap:anywhere}"
            + "time{white-space:nowrap}"
            + ".badge{width:3rem;height:3rem;border-radius:50%;display:grid;place-items:center;background:#e7effb;"
            + "color:var(--accent);margin-bottom:1rem}"
            + "form{display:grid;gap:.5rem;margin-top:1.25rem}"
            + "label{font-weight:600}"
            + "input[type=password]{width:100%;min-height:3rem;padding:.625rem .75rem;font:inherit;color:var(--ink);"
            + "border:1px solid #6e7781;border-radius:10px;background:#fff}"
            + "input[type=password]:focus-visible{border-color:var(--accent)}"
            + ".error{margin:1rem 0 0;padding:.75rem 1rem;border-radius:10px;background:#fef3f2;border:1px solid #fecdca;"
            + "color:var(--error);font-weight:600}"
            + "form .button{margin-top:.5rem}"
            + "@media (min-width:48rem){.wrap{padding:max(1.5rem,6vh) 2rem 3rem}"
            + ".file{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr)}"
            + ".file .preview{border-bottom:0;border-right:1px solid var(--line);min-height:22rem;padding:1.5rem}"
            + ".file .preview.text{padding:0}"
            + ".preview img,.preview pre{max-height:70vh}"
            + ".info{padding:2rem}h1{font-size:1.5rem}}";

    private static final String LOGO = "<svg viewBox=\"0 0 24 24\" width=\"18\" height=\"18\" aria-hidden=\"true\" "
            + "focusable=\"false\"><path fill=\"currentColor\" d=\"M4 4a2 2 0 0 1 2-2h8l6 6v12a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2"
            + "V4zm9 0v5h5\"/></svg>";
    private static final String LOCK = "<svg viewBox=\"0 0 24 24\" width=\"20\" height=\"20\" aria-hidden=\"true\" "
            + "focusable=\"false\"><path fill=\"currentColor\" d=\"M12 2a5 5 0 0 0-5 5v3H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2"
            + "h12a2 2 0 0 0 2-2v-8a2 2 0 0 0-2-2h-1V7a5 5 0 0 0-5-5zM9 10V7a3 3 0 1 1 6 0v3H9z\"/></svg>";
    private static final String ARROW = "<svg viewBox=\"0 0 24 24\" width=\"20\" height=\"20\" aria-hidden=\"true\" "
            + "focusable=\"false\"><path fill=\"currentColor\" d=\"M11 3h2v9.6l3.3-3.3 1.4 1.4-5.7 5.7-5.7-5.7 1.4-1.4"
            + " 3.3 3.3V3zM5 19h14v2H5z\"/></svg>";

    private static final Map<String, String> TYPE_NAMES = Map.ofEntries(
            Map.entry("image/jpeg", "JPEG image"), Map.entry("image/png", "PNG image"),
            Map.entry("image/gif", "GIF image"), Map.entry("image/webp", "WebP image"),
            Map.entry("image/svg+xml", "SVG image"), Map.entry("image/heic", "HEIC image"),
            Map.entry("image/tiff", "TIFF image"), Map.entry("application/pdf", "PDF document"),
            Map.entry("text/plain", "Plain text"), Map.entry("text/csv", "CSV file"),
            Map.entry("text/markdown", "Markdown text"), Map.entry("text/html", "HTML file"),
            Map.entry("application/json", "JSON file"), Map.entry("application/xml", "XML file"),
            Map.entry("application/zip", "ZIP archive"), Map.entry("application/gzip", "Gzip archive"),
            Map.entry("application/msword", "Word document"),
            Map.entry("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document"),
            Map.entry("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel spreadsheet"),
            Map.entry("application/vnd.openxmlformats-officedocument.presentationml.presentation",
                    "PowerPoint presentation"));

    private SharePageView() {
    }

    static String file(FileView v, Instant now) {
        StringBuilder body = new StringBuilder("<article class=\"card file\">");
        if (v.image() != null) {
            Image i = v.image();
            body.append("<figure class=\"preview\"><img id=\"thumbnail\" src=\"").append(escape(i.src()))
                    .append("\" srcset=\"").append(escape(i.srcset())).append("\" sizes=\"").append(escape(i.sizes()))
                    .append("\" width=\"").append(i.width()).append("\" height=\"").append(i.height())
                    .append("\" alt=\"Preview of ").append(escape(v.name())).append("\"></figure>");
        } else if (v.text() != null) {
            body.append("<figure class=\"preview text\"><pre id=\"text-preview\" tabindex=\"0\" role=\"region\" "
                    + "aria-label=\"Text preview\">").append(escape(v.text().text())).append("</pre><figcaption>")
                    .append(v.text().truncated() ? "The first lines of the file" : "The whole file")
                    .append("</figcaption></figure>");
        } else {
            body.append("<div class=\"preview\" id=\"type-icon\">").append(icon(v.name(), v.contentType()))
                    .append("</div>");
        }
        body.append("<div class=\"info\"><h1 id=\"name\">").append(escape(v.name())).append("</h1><p class=\"meta\">")
                .append("<span id=\"type\">").append(escape(typeName(v.contentType(), v.name()))).append("</span>");
        if (v.size() != null) {
            body.append(" · <span id=\"size\">").append(humanSize(v.size())).append("</span>");
        }
        body.append("</p>");
        if (v.downloadHref() != null) {
            body.append("<a id=\"download\" class=\"button\" href=\"").append(escape(v.downloadHref())).append("\">")
                    .append(ARROW).append("<span>Download</span></a>");
        } else if (v.signingUnavailable()) {
            body.append("<p id=\"download-unavailable\" class=\"notice\">").append(LOCK).append("<span><strong>"
                    + "Download unavailable</strong>Downloads are unavailable right now. Try again later.</span></p>");
        } else {
            body.append("<p id=\"no-download\" class=\"notice\">").append(LOCK).append("<span><strong>Download "
                    + "disabled</strong>The person who shared this file turned downloads off.</span></p>");
        }
        body.append("<dl class=\"details\"><div><dt>Version</dt><dd id=\"version\">")
                .append(v.followsLatest() ? "Latest version" : "Pinned to the version");
        if (v.versionDate() != null) {
            body.append(v.followsLatest() ? ", uploaded " : " of ").append(time(v.versionDate()));
        }
        body.append("</dd></div><div><dt>Link</dt><dd id=\"expiry\">");
        if (v.expiresAt() == null) {
            body.append("Does not expire");
        } else {
            body.append("Expires ").append(relative(Duration.between(now, v.expiresAt()))).append(" (")
                    .append(time(v.expiresAt())).append(")");
        }
        body.append("</dd></div>");
        if (v.sharedBy() != null) {
            body.append("<div><dt>Shared by</dt><dd id=\"shared-by\">").append(escape(v.sharedBy())).append("</dd></div>");
        }
        body.append("</dl></div></article>");
        return page(v.name(), "wrap", body.toString());
    }

    /** The password form; {@code error} (may be null) is said above it and announced to screen readers. */
    static String passwordForm(String error) {
        StringBuilder body = new StringBuilder("<article class=\"card\"><div class=\"info\"><div class=\"badge\">")
                .append(LOCK).append("</div><h1>Enter the password</h1><p class=\"meta\">The person who shared this "
                        + "file protected it with a password.</p>");
        if (error != null) {
            body.append("<p id=\"error\" class=\"error\" role=\"alert\">").append(escape(error)).append("</p>");
        }
        body.append("<form id=\"password-form\" method=\"post\"><label for=\"password\">Password</label>"
                + "<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" "
                + "required autofocus").append(error == null ? "" : " aria-invalid=\"true\" aria-describedby=\"error\"")
                .append("><button id=\"open\" class=\"button\" type=\"submit\">Open file</button></form></div></article>");
        return page("Password required", "wrap narrow", body.toString());
    }

    /** A page that only says something: not found, too many requests, download disabled. */
    static String message(String title, String text) {
        return page(title, "wrap narrow", "<article class=\"card\"><div class=\"info\"><h1>" + escape(title)
                + "</h1><p class=\"meta\" id=\"message\">" + escape(text) + "</p></div></article>");
    }

    private static String page(String title, String wrapClass, String main) {
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<meta name=\"robots\" content=\"noindex, nofollow\"><title>" + escape(title)
                + " · Filetrail</title><style>" + CSS + "</style></head><body><div class=\"" + wrapClass + "\">"
                + "<header><p class=\"brand\">" + LOGO + "Filetrail · shared file</p></header><main>" + main
                + "</main></div></body></html>";
    }

    private static String time(Instant instant) {
        return "<time datetime=\"" + instant + "\">" + DATE.format(instant) + "</time>";
    }

    /** "in 3 days": rounded to the nearest unit, since a day less a few seconds is still read as a day. */
    static String relative(Duration left) {
        long minutes = Math.round(left.toSeconds() / 60.0);
        if (minutes < 1) {
            return "in less than a minute";
        }
        long hours = Math.round(minutes / 60.0);
        long days = Math.round(minutes / 1440.0);
        if (minutes < 60) {
            return "in " + plural(minutes, "minute");
        }
        if (minutes < 1440 - 30) {
            return "in " + plural(hours, "hour");
        }
        return "in " + plural(days, "day");
    }

    private static String plural(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }

    static String typeName(String contentType, String name) {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT).split(";")[0].trim();
        String known = TYPE_NAMES.get(type);
        if (known != null) {
            return known;
        }
        if (type.startsWith("text/")) {
            return "Text file";
        }
        if (type.startsWith("image/")) {
            return type.substring(6).toUpperCase(Locale.ROOT) + " image";
        }
        if (type.startsWith("video/")) {
            return "Video";
        }
        if (type.startsWith("audio/")) {
            return "Audio";
        }
        String extension = extension(name);
        return extension.isEmpty() ? "File" : extension + " file";
    }

    /** A document with the file's extension on it (or a word for its kind), for files without a preview. */
    private static String icon(String name, String contentType) {
        String label = extension(name);
        if (label.isEmpty() || label.length() > 4) {
            String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
            label = type.startsWith("image/") ? "IMG" : type.startsWith("video/") ? "VID"
                    : type.startsWith("audio/") ? "AUD" : type.startsWith("text/") ? "TXT" : "FILE";
        }
        return "<svg viewBox=\"0 0 96 120\" width=\"96\" height=\"120\" aria-hidden=\"true\" focusable=\"false\">"
                + "<path d=\"M10 3h54l29 29v81a4 4 0 0 1-4 4H10a4 4 0 0 1-4-4V7a4 4 0 0 1 4-4z\" fill=\"#fff\" "
                + "stroke=\"#8c959f\" stroke-width=\"3\"/><path d=\"M64 3v25a4 4 0 0 0 4 4h25\" fill=\"none\" "
                + "stroke=\"#8c959f\" stroke-width=\"3\"/><rect x=\"14\" y=\"70\" width=\"68\" height=\"28\" rx=\"5\" "
                + "fill=\"#0a58ca\"/><text x=\"48\" y=\"90\" text-anchor=\"middle\" font-family=\"system-ui,sans-serif\" "
                + "font-size=\"17\" font-weight=\"700\" fill=\"#fff\">" + escape(label) + "</text></svg>";
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        if (dot <= 0 || dot == name.length() - 1) {
            return "";
        }
        String extension = name.substring(dot + 1);
        return extension.length() <= 5 && extension.chars().allMatch(Character::isLetterOrDigit)
                ? extension.toUpperCase(Locale.ROOT) : "";
    }

    static String humanSize(long bytes) {
        if (bytes < 1024) {
            return bytes + (bytes == 1 ? " byte" : " bytes");
        }
        List<String> units = List.of("KB", "MB", "GB", "TB");
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.size() - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units.get(unit));
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
