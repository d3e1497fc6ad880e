package dev.filetrail.api.shares;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.access.AccessEvents;
import dev.filetrail.api.files.FileQueries;
import dev.filetrail.api.files.FileReads;
import dev.filetrail.api.http.ClientAddress;
import dev.filetrail.api.keys.ApiKeys;
import dev.filetrail.api.urls.CloudFrontSigner;
import dev.filetrail.events.processing.Thumbnail;
import dev.filetrail.events.share.ShareLink;
import io.javalin.apibuilder.ApiBuilder;
import io.javalin.apibuilder.EndpointGroup;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public page a share link opens, and the two routes it links to. The page names only the file (never
 * the bucket or the key's folders); its preview ({@code /s/{token}/preview/{size}}) and download
 * ({@code /s/{token}/download}) check the link again on every request and answer with a redirect to a
 * CloudFront URL signed for one minute, so the page carries no signed URL that outlives the link. A password
 * link asks first and then remembers, for this browser, with a signed cookie ({@link UnlockCookie}).
 * Expired, revoked and unknown tokens get one identical 404 page; each client address is rate-limited, and
 * wrong passwords are throttled per link and per client.
 */
public final class SharePage implements EndpointGroup {
    private static final Logger log = LoggerFactory.getLogger(SharePage.class);
    private static final Duration REDIRECT_TTL = Duration.ofMinutes(1);
    private static final String NOT_FOUND_TITLE = "Link not found";
    private static final String NOT_FOUND_TEXT = "This link does not exist, has expired or was revoked. "
            + "Ask the person who shared it for a new link.";

    private final ShareLinkStore store;
    private final FileReads files;
    private final CloudFrontSigner signer;
    private final AccessEvents access;
    private final ApiKeys keys;
    private final ApiConfig config;
    private final RateLimiter limiter;
    private final PasswordAttempts attempts;
    private final UnlockCookie unlock;
    private final TextPreview textPreview;
    private final String basePath;
    private final Counter opened;
    private final Counter refused;
    private final Counter wrongPassword;
    private final Counter throttled;

    public SharePage(ShareLinkStore store, FileReads files, CloudFrontSigner signer, AccessEvents access,
                     ApiKeys keys, ApiConfig config, MeterRegistry registry) {
        this.store = store;
        this.files = files;
        this.signer = signer;
        this.access = access;
        this.keys = keys;
        this.config = config;
        this.limiter = new RateLimiter(config.shareRateLimitPerMinute());
        this.attempts = new PasswordAttempts(config.sharePasswordAttemptsPerMinute());
        // Without a signing key (a first deploy) the cookie's secret is this process's own: an unlocked browser
        // is asked for the password again by another instance or after a restart, until the key is in place.
        this.unlock = new UnlockCookie(signer.available() ? signer.keyPair().privateKey().getEncoded()
                : processSecret(), config.publicBaseUrl().startsWith("https:"));
        this.textPreview = new TextPreview(signer);
        String path = URI.create(config.publicBaseUrl()).getRawPath();
        this.basePath = path == null ? "" : path;
        this.opened = outcome(registry, "opened");
        this.refused = outcome(registry, "refused");
        this.wrongPassword = outcome(registry, "wrong_password");
        this.throttled = outcome(registry, "throttled");
    }

    private static Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder("filetrail_share_page").tag("outcome", outcome).register(registry);
    }

    /** A link that opens, with the version it shows, found for one request. */
    private record Found(String token, ShareLink link, FileQueries.VersionRow version, String client) {
    }

    /** Registers the share pages under {@code /s/}: open routes, the link's token and password are the check. */
    @Override
    public void addEndpoints() {
        ApiBuilder.get("/s/{token}", this::get);
        ApiBuilder.post("/s/{token}", this::post);
        ApiBuilder.get("/s/{token}/download", this::download);
        ApiBuilder.get("/s/{token}/preview/{size}", this::preview);
    }

    public void get(Context ctx) {
        page(ctx, null);
    }

    public void post(Context ctx) {
        String password = ctx.formParam("password");
        page(ctx, password == null ? "" : password);
    }

    /** {@code GET /s/{token}/download}: a redirect to the version's bytes, if the link allows downloads. */
    public void download(Context ctx) {
        Optional<Found> found = findUnlocked(ctx);
        if (found.isEmpty()) {
            return;
        }
        Found f = found.get();
        if (!f.link().allowDownload()) {
            refused.increment();
            message(ctx, 403, "Download disabled", "The person who shared this file turned downloads off.");
            return;
        }
        redirect(ctx, f, signer.sourceVersion(f.link().key(), f.link().resolvedVersionId(), REDIRECT_TTL), "download");
    }

    /** {@code GET /s/{token}/preview/{size}}: a redirect to one thumbnail the page may show. */
    public void preview(Context ctx) {
        Optional<Found> found = findUnlocked(ctx);
        if (found.isEmpty()) {
            return;
        }
        Found f = found.get();
        Optional<Thumbnail> thumbnail = Optional.empty();
        try {
            thumbnail = Renditions.bySize(Renditions.allowed(f.link().allowDownload(), f.version()),
                    Integer.parseInt(ctx.pathParam("size")));
        } catch (NumberFormatException e) {
            // not a size: no such preview
        }
        if (thumbnail.isEmpty()) {
            message(ctx, 404, "No such preview", "This link has no preview of that size.");
            return;
        }
        redirect(ctx, f, signer.derivative(thumbnail.get().key(), REDIRECT_TTL), "preview");
    }

    private void page(Context ctx, String password) {
        Optional<Found> found = find(ctx);
        if (found.isEmpty()) {
            return;
        }
        Found f = found.get();
        ShareLink link = f.link();
        Instant now = Instant.now();
        if (!unlocked(ctx, link)) {
            if (password == null) {
                passwordForm(ctx, 200, null);
                return;
            }
            PasswordAttempts.Admission admission = attempts.admit(link.linkId(), f.client(), System.nanoTime());
            if (!admission.admitted()) {
                throttled.increment();
                log.info("share page password throttled linkId={} client={} byLink={} retryAfter={}", link.linkId(),
                        f.client(), admission.byLink(), admission.retryAfterSeconds());
                ctx.header("Retry-After", String.valueOf(admission.retryAfterSeconds()));
                passwordForm(ctx, 429, (admission.byLink() ? "Too many wrong passwords for this link."
                        : "Too many wrong passwords from your address.") + " Try again in "
                        + seconds(admission.retryAfterSeconds()) + ".");
                return;
            }
            if (!ShareSecrets.verifyPassword(password, link.passwordHash())) {
                wrongPassword.increment();
                log.info("share page wrong password linkId={} client={}", link.linkId(), f.client());
                passwordForm(ctx, 401, "That password is not right. Check it and try again.");
                return;
            }
            attempts.succeeded(link.linkId(), f.client());
            // Post/redirect/get: a reload shows the file instead of sending the password again.
            ctx.header("Set-Cookie", unlock.issue(f.token(), link.linkId(), link.passwordHash(), now));
            ctx.status(303).header("Location", pagePath(f.token()));
            return;
        }
        render(ctx, f, now);
        opened.increment();
        access.shareOpened(link.linkId(), link.bucket(), link.key(), link.resolvedVersionId(), f.client(), now);
        log.info("share page opened linkId={} bucket={} key={} versionId={} client={}", link.linkId(), link.bucket(),
                link.key(), link.resolvedVersionId(), f.client());
    }

    /** The link and version behind the request's token, or empty once a 404 or 429 page has been answered. */
    private Optional<Found> find(Context ctx) {
        secureHeaders(ctx);
        String client = ClientAddress.of(ctx);
        if (!limiter.tryAcquire(client, System.nanoTime())) {
            long retryAfter = limiter.retryAfterSeconds(client);
            ctx.header("Retry-After", String.valueOf(retryAfter));
            message(ctx, 429, "Too many requests", "Too many requests from your address. Try again in "
                    + seconds(retryAfter) + ".");
            return Optional.empty();
        }
        String token = ctx.pathParam("token");
        Optional<ShareLink> link = ShareSecrets.looksLikeToken(token)
                ? store.byTokenHash(ShareSecrets.tokenHash(token))
                        .filter(l -> ShareSecrets.sameHash(l.tokenSha256(), ShareSecrets.tokenHash(token)))
                : Optional.empty();
        Optional<FileQueries.VersionRow> version = link.filter(l -> l.opensAt(Instant.now()))
                .flatMap(l -> files.version(l.bucket(), l.key(), l.resolvedVersionId()))
                .filter(v -> !v.deleteMarker());
        if (version.isEmpty()) {
            refused.increment();
            message(ctx, 404, NOT_FOUND_TITLE, NOT_FOUND_TEXT);
            return Optional.empty();
        }
        return Optional.of(new Found(token, link.get(), version.get(), client));
    }

    /** As {@link #find}, and a password link must be unlocked in this browser: else back to the form (303). */
    private Optional<Found> findUnlocked(Context ctx) {
        Optional<Found> found = find(ctx);
        if (found.isPresent() && !unlocked(ctx, found.get().link())) {
            ctx.status(303).header("Location", pagePath(found.get().token()));
            return Optional.empty();
        }
        return found;
    }

    private boolean unlocked(Context ctx, ShareLink link) {
        return link.passwordHash() == null
                || unlock.unlocks(ctx.cookie(UnlockCookie.NAME), link.linkId(), link.passwordHash(), Instant.now());
    }

    private void render(Context ctx, Found f, Instant now) {
        ShareLink link = f.link();
        FileQueries.VersionRow version = f.version();
        String name = fileName(link.key());
        String contentType = version.contentType();
        boolean signing = signer.available();
        // Previews, text and downloads all go through signed URLs: without the key the page still names the file.
        List<Thumbnail> renditions = signing ? Renditions.allowed(link.allowDownload(), version) : List.of();
        SharePageView.Image image = renditions.isEmpty() ? null : image(f.token(), renditions);
        // A text preview is the file's own bytes, so a link without downloads never gets one.
        TextPreview.Lines text = signing && image == null && link.allowDownload()
                && TextPreview.applies(contentType, version.size())
                ? textPreview.read(link.key(), link.resolvedVersionId(), version.size()).orElse(null)
                : null;
        String html = SharePageView.file(new SharePageView.FileView(name, contentType, version.size(),
                signing && link.allowDownload() ? f.token() + "/download" : null, image, text, link.followsLatest(),
                version.createdAt(), link.expiresAt(), sharedBy(link), !signing && link.allowDownload()), now);
        ctx.status(200).contentType("text/html; charset=utf-8").result(html);
    }

    /** Relative URLs (the page is {@code …/s/{token}}), one per rendition, for the browser to choose by width. */
    private static SharePageView.Image image(String token, List<Thumbnail> renditions) {
        Thumbnail largest = renditions.get(renditions.size() - 1);
        Thumbnail fallback = renditions.stream().filter(t -> t.width() >= 512).findFirst().orElse(largest);
        String srcset = renditions.stream().map(t -> token + "/preview/" + t.size() + " " + t.width() + "w")
                .collect(Collectors.joining(", "));
        return new SharePageView.Image(token + "/preview/" + fallback.size(), srcset, SharePageView.IMAGE_SIZES,
                largest.width(), largest.height());
    }

    /** The name of the API key that created the link, which is who the link records as its sharer. */
    private String sharedBy(ShareLink link) {
        String createdBy = link.createdBy();
        if (createdBy == null || !createdBy.startsWith("key:")) {
            return null;
        }
        return keys.name(createdBy.substring(4)).orElse(null);
    }

    private void redirect(Context ctx, Found f, CloudFrontSigner.SignedUrl url, String what) {
        ShareLink link = f.link();
        access.urlIssued(link.linkId(), link.bucket(), link.key(), link.resolvedVersionId(), url.expiresAt(),
                "share:" + link.linkId(), f.client());
        log.info("share {} issued linkId={} bucket={} key={} versionId={} client={}", what, link.linkId(), link.bucket(),
                link.key(), link.resolvedVersionId(), f.client());
        ctx.status(302).header("Location", url.url());
    }

    private String pagePath(String token) {
        return basePath + "/s/" + token;
    }

    private void passwordForm(Context ctx, int status, String error) {
        ctx.status(status).contentType("text/html; charset=utf-8").result(SharePageView.passwordForm(error));
    }

    private static void message(Context ctx, int status, String title, String text) {
        ctx.status(status).contentType("text/html; charset=utf-8").result(SharePageView.message(title, text));
    }

    private void secureHeaders(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        // Previews are same-origin routes that redirect to the distribution: img-src needs both.
        ctx.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' "
                + config.cloudFrontDomain() + "; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
    }

    /** The key's last segment: the page never shows the folders above it. */
    static String fileName(String key) {
        String trimmed = key.replaceAll("/+$", "");
        String name = trimmed.substring(trimmed.lastIndexOf('/') + 1);
        return name.isEmpty() ? "file" : name;
    }

    private static byte[] processSecret() {
        byte[] secret = new byte[32];
        new java.security.SecureRandom().nextBytes(secret);
        return secret;
    }

    private static String seconds(long seconds) {
        return seconds == 1 ? "1 second" : seconds + " seconds";
    }
}
