package dev.filetrail.api.shares;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.ApiFixture;
import dev.filetrail.api.ReadModelFeed;
import dev.filetrail.api.http.ObjectPath;
import dev.filetrail.api.keys.Scope;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import dev.filetrail.events.history.FileVersion;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RadialGradientPaint;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The share page as a person sees it, in headless Chromium against the real API and edge: layout at four
 * widths (no sideways scrolling, name and Download in the first viewport, the preview rendition the width
 * needs), what the page says, keyboard focus, axe-core, the password form's errors, and the downloaded bytes.
 * Each test presents its own client address through a trusted proxy header, so their password throttles
 * are their own. Screenshots go to {@code target/share-page/}, and also to {@code -Dshare.screenshots=DIR}.
 */
@ExtendWith(RealParts.class)
class SharePageChromiumTest {
    /** One screen the page must fit: phones, a tablet, a laptop. */
    record Screen(String name, int width, int height, boolean mobile, int expectedRendition) {
    }

    static final List<Screen> SCREENS = List.of(new Screen("small-phone", 360, 740, true, 512),
            new Screen("phone", 390, 844, true, 512), new Screen("tablet", 768, 1024, true, 512),
            new Screen("desktop", 1280, 900, false, 1024));
    static final String PHOTO_KEY = "marketing/campaigns/2025/Harbour at dawn.jpg";

    static ApiFixture f;
    static Chromium chromium;
    static String axe;
    static String shareKey;

    @BeforeAll
    static void start(KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3) throws Exception {
        Path script = Path.of(System.getProperty("axe-core.script", "target/npm/node_modules/axe-core/axe.min.js"));
        assertThat(script).as("axe-core is fetched by the query-api build (profile axe-core, npm)").exists();
        axe = Files.readString(script);
        f = new ApiFixture("chromium", kafka, postgres, s3, true, Duration.ofSeconds(10), 1000,
                Map.of("TRUSTED_PROXIES", "127.0.0.1/32", "SHARE_PASSWORD_ATTEMPTS_PER_MINUTE", "3"));
        shareKey = f.api.apiKeys().create("Ada Lovelace", EnumSet.of(Scope.SHARE)).plaintext();
        chromium = new Chromium();
        chromium.call("Network.enable", Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        if (f != null) {
            f.close();
        }
    }

    @Test
    void aPhotoFitsEveryWidthAndTellsTheRecipientWhatTheyWantToKnow() throws Exception {
        as("198.51.100.10");
        FileVersion photo = f.feed.putVersion(PHOTO_KEY, jpeg(photo(1600, 1200)), "image/jpeg");
        List<ReadModelFeed.Rendition> renditions = new ArrayList<>();
        for (int size : List.of(64, 256, 512, 1024)) {
            renditions.add(new ReadModelFeed.Rendition(size, size, size * 3 / 4, png(scaled(photo(1600, 1200), size))));
        }
        f.feed.attachThumbnails(PHOTO_KEY, photo.versionId(), 1600, 1200, renditions);
        awaitThumbnails(PHOTO_KEY, 4);
        String url = share("{\"bucket\":\"" + f.bucket + "\",\"key\":" + Json.writeString(PHOTO_KEY)
                + ",\"expiresAt\":\"" + Instant.now().plus(Duration.ofDays(3)) + "\"}");

        for (Screen screen : SCREENS) {
            chromium.viewport(screen.width(), screen.height(), screen.mobile());
            open(url);
            chromium.waitFor("(() => { const i = document.getElementById('thumbnail');"
                    + " return i.complete && i.naturalWidth > 0 ? 'loaded' : 'loading'; })()", "loaded"::equals);
            assertFits(screen, "download");
            assertThat(chromium.eval("document.getElementById('thumbnail').currentSrc"))
                    .as("the rendition a %d px screen fetches", screen.width())
                    .endsWith("/preview/" + screen.expectedRendition());
            assertThat(chromium.eval("String(document.getElementById('thumbnail').getBoundingClientRect().right"
                    + " <= innerWidth)")).as("preview inside the screen at %d px", screen.width()).isEqualTo("true");
            if (screen.name().equals("phone") || screen.name().equals("desktop")) {
                screenshot("share-page-" + screen.name() + ".png", true);
            }
        }

        assertThat(text("name")).isEqualTo("Harbour at dawn.jpg");
        assertThat(chromium.eval("document.title")).isEqualTo("Harbour at dawn.jpg · Filetrail");
        assertThat(text("type")).isEqualTo("JPEG image");
        assertThat(text("size")).endsWith(" KB");
        assertThat(text("version")).startsWith("Latest version, uploaded ").endsWith(" UTC");
        assertThat(text("expiry")).startsWith("Expires in 3 days (");
        assertThat(text("shared-by")).isEqualTo("Ada Lovelace");
        assertThat(chromium.eval("document.getElementById('thumbnail').alt")).isEqualTo("Preview of Harbour at dawn.jpg");
        String html = chromium.eval("document.documentElement.outerHTML");
        assertThat(html).doesNotContain(f.bucket).doesNotContain(f.derivativesBucket).doesNotContain("marketing")
                .doesNotContain("campaigns").doesNotContain("Signature=").doesNotContain(f.edge.url());

        chromium.press("Tab", 9);
        assertThat(chromium.eval("document.activeElement.id")).as("Tab reaches Download first").isEqualTo("download");
        assertThat(chromium.eval("(() => { const s = getComputedStyle(document.activeElement);"
                + " return s.outlineStyle + ' ' + parseFloat(s.outlineWidth); })()"))
                .as("the focused control shows a visible outline").isEqualTo("solid 3");
        assertAccessible("photo page");
    }

    @Test
    void aPasswordLinkAsksSaysWhatWentWrongThenOpensAndDownloadsTheRightBytes() throws Exception {
        as("198.51.100.20");
        chromium.viewport(390, 844, true);
        String key = "reports/Q1 summary ünï+%.txt";
        String content = "the quarterly numbers, second draft";
        f.feed.putVersion(key, "first draft".getBytes(StandardCharsets.UTF_8), "text/plain");
        FileVersion second = f.feed.putVersion(key, content.getBytes(StandardCharsets.UTF_8), "text/plain");
        String filePath = "/v1/buckets/" + f.bucket + "/files/" + ObjectPath.encodeSegment(key);
        ApiFixture.await("file projected", () -> f.get(filePath, f.admin()).body().contains(second.versionId()));
        String url = share("{\"bucket\":\"" + f.bucket + "\",\"key\":" + Json.writeString(key)
                + ",\"password\":\"open sesame\"}");

        open(url);
        chromium.waitFor("String(!!document.getElementById('password-form'))", "true"::equals);
        assertThat(chromium.eval("document.body.innerText")).doesNotContain("Download").doesNotContain("Q1 summary");
        assertThat(chromium.eval("document.activeElement.id")).as("the field has the focus").isEqualTo("password");
        assertThat(chromium.eval("document.querySelector('label[for=password]').innerText")).isEqualTo("Password");
        assertAccessible("password form");

        submitPassword("not it");
        chromium.waitFor("String(!!document.getElementById('error'))", "true"::equals);
        assertThat(text("error")).isEqualTo("That password is not right. Check it and try again.");
        assertThat(chromium.eval("document.getElementById('password').getAttribute('aria-describedby')"))
                .isEqualTo("error");
        assertFits(SCREENS.get(1), "open");
        screenshot("share-page-wrong-password.png", false);
        assertAccessible("wrong password");

        submitPassword("open sesame");
        chromium.waitFor("String(!!document.getElementById('download'))", "true"::equals);
        assertThat(text("name")).isEqualTo("Q1 summary ünï+%.txt");
        assertThat(text("size")).isEqualTo(content.length() + " bytes");
        assertThat(text("text-preview")).as("a small text file shows its lines").isEqualTo(content);
        // location.reload() only starts the reload: the old page, marked, must not pass for the reloaded one (a click
        // on it can be cancelled by the reload, and the download then never happens).
        chromium.eval("window.beforeReload = true; location.reload(); 'reloaded'");
        chromium.waitFor("String(!window.beforeReload && document.readyState === 'complete'"
                + " && !!document.getElementById('download'))", "true"::equals);

        chromium.eval("document.getElementById('download').click(); 'clicked'");
        String body = chromium.waitFor("location.href.startsWith('" + f.edge.url() + "') && document.body"
                + " ? document.body.innerText : ''", v -> !v.isEmpty());
        assertThat(body.trim()).isEqualTo(content);
    }

    @Test
    void tooManyWrongPasswordsAreRefusedWithAMessageThatSaysWhenToTryAgain() throws Exception {
        as("198.51.100.30");
        chromium.viewport(390, 844, true);
        String key = "vault/plans.txt";
        f.feed.putVersion(key, "plans".getBytes(StandardCharsets.UTF_8), "text/plain");
        awaitFile(key);
        String url = share("{\"bucket\":\"" + f.bucket + "\",\"key\":\"" + key + "\",\"password\":\"right\"}");
        open(url);
        for (int i = 0; i < 3; i++) {
            submitPassword("wrong " + i);
            chromium.waitFor("document.getElementById('error') ? document.getElementById('error').innerText : ''",
                    v -> v.startsWith("That password is not right"));
        }
        submitPassword("right");
        String message = chromium.waitFor("document.getElementById('error') ? document.getElementById('error').innerText"
                + " : ''", v -> v.startsWith("Too many"));
        assertThat(message).matches("Too many wrong passwords for this link\\. Try again in \\d+ seconds\\.");
        assertThat(chromium.eval("String(!!document.getElementById('download'))"))
                .as("even the right password waits while the link is throttled").isEqualTo("false");
        assertAccessible("throttled");
    }

    @Test
    void aTextFileShowsItsFirstLinesAsTextNeverAsMarkup() throws Exception {
        as("198.51.100.40");
        String key = "notes/release notes.md";
        StringBuilder lines = new StringBuilder("# Release <script>alert('x')</script> & <b>notes</b>\n");
        for (int i = 2; i <= 30; i++) {
            lines.append("Line ").append(i).append(": a sentence long enough to need wrapping on a phone screen, ")
                    .append("which it must do inside the column rather than scroll the page sideways.\n");
        }
        FileVersion first = f.feed.putVersion(key, lines.toString().getBytes(StandardCharsets.UTF_8), "text/markdown");
        f.feed.putVersion(key, "a later version".getBytes(StandardCharsets.UTF_8), "text/markdown");
        awaitFile(key);
        String url = share("{\"bucket\":\"" + f.bucket + "\",\"key\":" + Json.writeString(key) + ",\"versionId\":\""
                + first.versionId() + "\"}");
        for (Screen screen : List.of(SCREENS.get(0), SCREENS.get(3))) {
            chromium.viewport(screen.width(), screen.height(), screen.mobile());
            open(url);
            assertFits(screen, "download");
        }
        chromium.viewport(390, 844, true);
        open(url);
        screenshot("share-page-text.png", false);
        String preview = text("text-preview");
        assertThat(preview).startsWith("# Release <script>alert('x')</script> & <b>notes</b>\nLine 2: ")
                .contains("Line 20: ").doesNotContain("Line 21: ").doesNotContain("a later version");
        assertThat(chromium.eval("String(document.scripts.length + document.querySelectorAll('b').length)"))
                .as("the file's markup is shown, not run").isEqualTo("0");
        assertThat(chromium.eval("document.querySelector('figcaption').innerText")).isEqualTo("The first lines of the file");
        assertThat(text("version")).startsWith("Pinned to the version of ");
        assertThat(text("expiry")).isEqualTo("Does not expire");
        assertThat(text("type")).isEqualTo("Markdown text");
        assertThat(chromium.eval("document.documentElement.outerHTML")).doesNotContain("notes/");
        assertAccessible("text page");
    }

    @Test
    void aLinkWithoutDownloadsShowsAnIconAndSaysDownloadDisabled() throws Exception {
        as("198.51.100.50");
        String key = "contracts/2025/lease.pdf";
        f.feed.putVersion(key, "%PDF-1.7 not really".getBytes(StandardCharsets.UTF_8), "application/pdf");
        awaitFile(key);
        String url = share("{\"bucket\":\"" + f.bucket + "\",\"key\":\"" + key + "\",\"allowDownload\":false}");
        for (Screen screen : List.of(SCREENS.get(0), SCREENS.get(3))) {
            chromium.viewport(screen.width(), screen.height(), screen.mobile());
            open(url);
            assertFits(screen, "no-download");
        }
        assertThat(text("no-download")).startsWith("Download disabled");
        assertThat(chromium.eval("document.querySelector('#type-icon svg text').textContent")).isEqualTo("PDF");
        assertThat(text("type")).isEqualTo("PDF document");
        assertThat(chromium.eval("String(document.querySelectorAll('a[href]').length)")).isEqualTo("0");
        screenshot("share-page-no-download.png", false);
        assertAccessible("no-download page");
    }

    @Test
    void theNotFoundPageIsAccessibleToo() throws Exception {
        as("198.51.100.60");
        chromium.viewport(390, 844, true);
        open(f.baseUrl() + "/s/" + ShareSecrets.newToken());
        assertThat(chromium.eval("document.title")).isEqualTo("Link not found · Filetrail");
        assertAccessible("not found");
    }

    /** Every request the browser sends from now on comes, as far as the API can tell, from {@code address}. */
    private static void as(String address) throws Exception {
        chromium.call("Network.setExtraHTTPHeaders", Map.of("headers", Map.of("X-Forwarded-For", address)));
    }

    private static String share(String body) throws Exception {
        var created = f.post("/v1/shares", shareKey, body);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return Json.MAPPER.readTree(created.body()).get("url").asText();
    }

    private static void open(String url) throws Exception {
        markDocument();
        chromium.navigate(url);
        awaitNextDocument();
    }

    private static void submitPassword(String password) throws Exception {
        markDocument();
        chromium.eval("document.getElementById('password').value = " + Json.writeString(password) + ";"
                + " document.getElementById('password-form').requestSubmit(); 'sent'");
        awaitNextDocument();
    }

    /** Marks the current document, so that waiting for the next one cannot mistake this one for it. */
    private static void markDocument() throws Exception {
        chromium.eval("window.filetrailOldDocument = true; 'marked'");
    }

    private static void awaitNextDocument() throws Exception {
        chromium.waitFor("!window.filetrailOldDocument && document.readyState === 'complete' ? 'ready' : 'loading'",
                "ready"::equals);
    }

    private static String text(String id) throws Exception {
        return chromium.eval("document.getElementById('" + id + "').innerText");
    }

    /** No sideways scrolling; the name and the control {@code controlId} are inside the first viewport. */
    private static void assertFits(Screen screen, String controlId) throws Exception {
        assertThat(chromium.eval("String(document.documentElement.scrollWidth <= innerWidth"
                + " && document.body.scrollWidth <= innerWidth)"))
                .as("no horizontal overflow at %d px: scrollWidth %s", screen.width(),
                        chromium.eval("String(document.documentElement.scrollWidth)"))
                .isEqualTo("true");
        assertThat(chromium.eval("String(innerWidth)")).isEqualTo(String.valueOf(screen.width()));
        String inside = "(id => { const e = document.getElementById(id); if (!e) return 'missing ' + id;"
                + " const r = e.getBoundingClientRect();"
                + " return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth"
                + " ? 'inside' : id + ' at ' + JSON.stringify(r); })";
        String heading = controlId.equals("open") ? "password" : "name";
        for (String id : List.of(heading, controlId)) {
            assertThat(chromium.eval(inside + "('" + id + "')"))
                    .as("%s in the first viewport at %dx%d", id, screen.width(), screen.height()).isEqualTo("inside");
        }
    }

    /** Runs axe-core in the page, injected through DevTools (the page's CSP allows no script of its own). */
    private static void assertAccessible(String what) throws Exception {
        chromium.eval(axe + "; 'axe loaded'");
        String result = chromium.eval("axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify("
                + "{violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
                + " nodes: v.nodes.map(n => n.target.join(' '))})), passes: r.passes.length}))");
        JsonNode report = Json.MAPPER.readTree(result);
        assertThat(report.get("passes").asInt()).as("axe ran its rules on " + what).isPositive();
        List<String> severe = new ArrayList<>();
        for (JsonNode violation : report.get("violations")) {
            System.out.println("axe " + what + ": " + violation);
            String impact = violation.path("impact").asText();
            if (impact.equals("serious") || impact.equals("critical")) {
                severe.add(violation.toString());
            }
        }
        assertThat(severe).as("serious or critical axe violations on " + what).isEmpty();
    }

    /** Saves what the viewport shows; the README's pictures ({@code forDocs}) also go where -Dshare.screenshots says. */
    private static void screenshot(String name, boolean forDocs) throws Exception {
        byte[] png = chromium.screenshot();
        Path target = Path.of("target/share-page");
        Files.createDirectories(target);
        Files.write(target.resolve(name), png);
        String docs = System.getProperty("share.screenshots");
        if (forDocs && docs != null && !docs.isBlank()) {
            Files.createDirectories(Path.of(docs));
            Files.write(Path.of(docs).resolve(name), png);
        }
    }

    private static void awaitFile(String key) {
        String path = "/v1/buckets/" + f.bucket + "/files/" + ObjectPath.encodeSegment(key);
        ApiFixture.await(key + " projected", () -> f.get(path, f.admin()).statusCode() == 200);
    }

    private static void awaitThumbnails(String key, int count) {
        String path = "/v1/buckets/" + f.bucket + "/files/" + ObjectPath.encodeSegment(key);
        ApiFixture.await(key + " thumbnails projected", () -> {
            try {
                return Json.MAPPER.readTree(f.get(path, f.admin()).body()).path("thumbnails").size() == count;
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** A harbour at dawn: sky, sun, sea and a boat, so the screenshots show a picture, not a test pattern. */
    private static BufferedImage photo(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        int horizon = height * 62 / 100;
        g.setPaint(new GradientPaint(0, 0, new Color(0x1d3557), 0, horizon, new Color(0xf4a261)));
        g.fillRect(0, 0, width, horizon);
        g.setPaint(new RadialGradientPaint(width * 0.68f, horizon - height * 0.06f, height * 0.16f,
                new float[] {0f, 0.55f, 1f}, new Color[] {new Color(0xfff3c4), new Color(0xffd166),
                        new Color(255, 209, 102, 0)}));
        g.fillRect(0, 0, width, horizon);
        g.setPaint(new GradientPaint(0, horizon, new Color(0x2a6f7f), 0, height, new Color(0x10263a)));
        g.fillRect(0, horizon, width, height - horizon);
        g.setColor(new Color(255, 214, 140, 90));
        for (int i = 0; i < 14; i++) {
            int y = horizon + 12 + i * (height - horizon) / 16;
            int half = (int) (width * 0.05 + i * width * 0.006);
            g.fillRoundRect((int) (width * 0.68) - half, y, 2 * half, Math.max(3, height / 240), 6, 6);
        }
        Path2D hills = new Path2D.Double();
        hills.moveTo(0, horizon);
        hills.curveTo(width * 0.12, horizon - height * 0.12, width * 0.28, horizon - height * 0.05, width * 0.42, horizon);
        hills.closePath();
        g.setColor(new Color(0x14213d));
        g.fill(hills);
        int boatX = width * 30 / 100;
        int boatY = horizon + (height - horizon) / 3;
        Path2D hull = new Path2D.Double();
        hull.moveTo(boatX - width * 0.06, boatY);
        hull.lineTo(boatX + width * 0.06, boatY);
        hull.lineTo(boatX + width * 0.045, boatY + height * 0.025);
        hull.lineTo(boatX - width * 0.045, boatY + height * 0.025);
        hull.closePath();
        g.setColor(new Color(0x0b132b));
        g.fill(hull);
        g.setStroke(new BasicStroke(Math.max(2f, width / 400f)));
        g.drawLine(boatX, boatY, boatX, (int) (boatY - height * 0.14));
        Path2D sail = new Path2D.Double();
        sail.moveTo(boatX + width * 0.004, boatY - height * 0.135);
        sail.lineTo(boatX + width * 0.05, boatY - height * 0.01);
        sail.lineTo(boatX + width * 0.004, boatY - height * 0.01);
        sail.closePath();
        g.setColor(new Color(0xf1faee));
        g.fill(sail);
        g.dispose();
        return image;
    }

    private static BufferedImage scaled(BufferedImage source, int longSide) {
        int width = longSide;
        int height = longSide * source.getHeight() / source.getWidth();
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(source, 0, 0, width, height, null);
        g.dispose();
        return out;
    }

    private static byte[] png(BufferedImage image) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static byte[] jpeg(BufferedImage image) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpeg", out);
        return out.toByteArray();
    }
}
