package dev.filetrail.api.shares;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.files.FileQueries;
import dev.filetrail.api.urls.CloudFrontSigner;
import dev.filetrail.events.processing.Thumbnail;
import dev.filetrail.events.share.ShareCommand;
import dev.filetrail.events.share.ShareLink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public page a share link opens: file name, size, thumbnail and a download button with a fresh signed
 * URL, or a password form first. Expired, revoked and unknown tokens get one identical 404 page, and each
 * client address is rate-limited.
 */
public final class SharePage {
    private static final Logger log = LoggerFactory.getLogger(SharePage.class);
    private final ShareLinkStore store;
    private final FileQueries files;
    private final CloudFrontSigner signer;
    private final ShareCommands commands;
    private final ClientRateLimiter limiter;
    private final ApiConfig config;
    private final Counter opened;
    private final Counter refused;

    public SharePage(ShareLinkStore store, FileQueries files, CloudFrontSigner signer, ShareCommands commands,
                     ApiConfig config, MeterRegistry registry) {
        this.store = store;
        this.files = files;
        this.signer = signer;
        this.commands = commands;
        this.limiter = new ClientRateLimiter(config.shareRateLimitPerMinute());
        this.config = config;
        this.opened = Counter.builder("filetrail_share_page").tag("outcome", "opened").register(registry);
        this.refused = Counter.builder("filetrail_share_page").tag("outcome", "refused").register(registry);
    }

    public void get(Context ctx) {
        open(ctx, null);
    }

    public void post(Context ctx) {
        String password = ctx.formParam("password");
        open(ctx, password == null ? "" : password);
    }

    private void open(Context ctx, String password) {
        secureHeaders(ctx);
        if (!limiter.tryAcquire(ctx.ip(), System.nanoTime())) {
            ctx.header("Retry-After", String.valueOf(limiter.retryAfterSeconds(ctx.ip())));
            page(ctx, 429, "Too many requests", "<p>Too many requests from your address. Try again shortly.</p>");
            return;
        }
        String token = ctx.pathParam("token");
        Optional<ShareLink> found = ShareSecrets.looksLikeToken(token)
                ? store.byTokenHash(ShareSecrets.tokenHash(token))
                        .filter(l -> ShareSecrets.sameHash(l.tokenSha256(), ShareSecrets.tokenHash(token)))
                : Optional.empty();
        Instant now = Instant.now();
        if (found.isEmpty() || !found.get().opensAt(now)) {
            refused.increment();
            notFound(ctx);
            return;
        }
        ShareLink link = found.get();
        if (link.passwordHash() != null) {
            if (password == null) {
                passwordForm(ctx, 200, null);
                return;
            }
            if (!ShareSecrets.verifyPassword(password, link.passwordHash())) {
                log.info("share page wrong password linkId={}", link.linkId());
                passwordForm(ctx, 401, "That password is not right.");
                return;
            }
        }
        Optional<FileQueries.VersionRow> version = files.version(link.bucket(), link.key(), link.resolvedVersionId());
        if (version.isEmpty() || version.get().deleteMarker()) {
            refused.increment();
            notFound(ctx);
            return;
        }
        render(ctx, link, version.get());
        opened.increment();
        commands.sendAsync(new ShareCommand(UUID.randomUUID().toString(), ShareCommand.Type.RECORD_ACCESS,
                link.linkId(), link.bucket(), link.key(), link.tokenSha256(), link.resolvedVersionId(), null, null,
                null, "public", ctx.ip(), now));
        log.info("share page opened linkId={} bucket={} key={} versionId={}", link.linkId(), link.bucket(), link.key(),
                link.resolvedVersionId());
    }

    private void render(Context ctx, ShareLink link, FileQueries.VersionRow version) {
        String name = link.key().substring(link.key().lastIndexOf('/') + 1);
        if (name.isEmpty()) {
            name = link.key();
        }
        StringBuilder body = new StringBuilder();
        // Without a signing key the page still names the file; thumbnail and download need signed URLs.
        Optional<Thumbnail> thumbnail = !signer.available() || version.derivatives() == null
                || version.derivatives().thumbnails() == null
                ? Optional.empty()
                : version.derivatives().thumbnails().stream().max(Comparator.comparingInt(Thumbnail::size));
        thumbnail.ifPresent(t -> body.append("<img id=\"thumbnail\" alt=\"\" src=\"")
                .append(escape(signer.derivative(t.key(), config.signedUrlTtl()).url())).append("\" width=\"")
                .append(t.width()).append("\" height=\"").append(t.height()).append("\">"));
        body.append("<h1 id=\"name\">").append(escape(name)).append("</h1>");
        body.append("<p id=\"size\">").append(humanSize(version.size())).append("</p>");
        if (version.contentType() != null) {
            body.append("<p id=\"type\">").append(escape(version.contentType())).append("</p>");
        }
        if (link.allowDownload() && !signer.available()) {
            body.append("<p id=\"download-unavailable\">Downloads are unavailable right now. Try again later.</p>");
        } else if (link.allowDownload()) {
            String url = signer.sourceVersion(link.key(), link.resolvedVersionId(), config.signedUrlTtl()).url();
            body.append("<p><a id=\"download\" class=\"button\" href=\"").append(escape(url))
                    .append("\" download=\"").append(escape(name)).append("\">Download</a></p>");
        } else {
            body.append("<p id=\"no-download\">The owner has not allowed downloads of this file.</p>");
        }
        page(ctx, 200, name, body.toString());
    }

    private void passwordForm(Context ctx, int status, String error) {
        String body = (error == null ? "" : "<p id=\"error\" role=\"alert\">" + escape(error) + "</p>")
                + "<form id=\"password-form\" method=\"post\"><label for=\"password\">This link is protected by a "
                + "password.</label><input id=\"password\" name=\"password\" type=\"password\" required autofocus>"
                + "<button id=\"open\" type=\"submit\">Open</button></form>";
        page(ctx, status, "Password required", body);
    }

    private void notFound(Context ctx) {
        page(ctx, 404, "Link not found",
                "<h1>Link not found</h1><p>This link does not exist, has expired or was revoked.</p>");
    }

    private void page(Context ctx, int status, String title, String body) {
        ctx.status(status).contentType("text/html; charset=utf-8").result("<!doctype html><html lang=\"en\"><head>"
                + "<meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>"
                + escape(title) + " · Filetrail</title><style>body{font-family:sans-serif;max-width:40em;margin:3em auto}"
                + ".button{display:inline-block;padding:.6em 1.2em;background:#1f6feb;color:#fff;border-radius:6px;"
                + "text-decoration:none}</style></head><body>" + body + "</body></html>");
    }

    private void secureHeaders(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src "
                + config.cloudFrontDomain() + "; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
    }

    static String humanSize(Long bytes) {
        if (bytes == null) {
            return "";
        }
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
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
