package dev.filetrail.api.shares;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SharePageViewTest {

    @Test
    void expiryIsSaidInTheNearestWholeUnit() {
        assertThat(SharePageView.relative(Duration.ofSeconds(20))).isEqualTo("in less than a minute");
        assertThat(SharePageView.relative(Duration.ofSeconds(50))).isEqualTo("in 1 minute");
        assertThat(SharePageView.relative(Duration.ofMinutes(45))).isEqualTo("in 45 minutes");
        assertThat(SharePageView.relative(Duration.ofMinutes(61))).isEqualTo("in 1 hour");
        assertThat(SharePageView.relative(Duration.ofHours(5).plusMinutes(40))).isEqualTo("in 6 hours");
        assertThat(SharePageView.relative(Duration.ofHours(23).plusMinutes(45))).isEqualTo("in 1 day");
        assertThat(SharePageView.relative(Duration.ofDays(3).minusSeconds(2))).isEqualTo("in 3 days");
        assertThat(SharePageView.relative(Duration.ofDays(3).plusHours(11))).isEqualTo("in 3 days");
    }

    @Test
    void typesGetNamesPeopleUse() {
        assertThat(SharePageView.typeName("image/jpeg", "a.jpg")).isEqualTo("JPEG image");
        assertThat(SharePageView.typeName("image/avif", "a.avif")).isEqualTo("AVIF image");
        assertThat(SharePageView.typeName("text/x-log; charset=utf-8", "a.log")).isEqualTo("Text file");
        assertThat(SharePageView.typeName("application/octet-stream", "backup.tar")).isEqualTo("TAR file");
        assertThat(SharePageView.typeName(null, "README")).isEqualTo("File");
    }

    @Test
    void sizesAreHumanAndSingularWhenOne() {
        assertThat(SharePageView.humanSize(1)).isEqualTo("1 byte");
        assertThat(SharePageView.humanSize(1023)).isEqualTo("1023 bytes");
        assertThat(SharePageView.humanSize(1536)).isEqualTo("1.5 KB");
        assertThat(SharePageView.humanSize(5L * 1024 * 1024 * 1024)).isEqualTo("5.0 GB");
    }

    @Test
    void everythingFromOutsideIsEscaped() {
        String html = SharePageView.file(new SharePageView.FileView("<img src=x onerror=alert(1)>.txt", "text/plain",
                3L, "t\"/download", null, new TextPreview.Lines("</pre><script>x</script>", false), true,
                Instant.parse("2025-03-01T10:00:00Z"), null, "<b>Eve</b>", false), Instant.parse("2025-03-02T10:00:00Z"));
        assertThat(html).doesNotContain("<img src=x").doesNotContain("<script>").doesNotContain("<b>Eve")
                .doesNotContain("t\"/download")
                .contains("&lt;img src=x onerror=alert(1)&gt;.txt").contains("&lt;/pre&gt;&lt;script&gt;")
                .contains("href=\"t&quot;/download\"").contains("&lt;b&gt;Eve&lt;/b&gt;")
                .contains("uploaded <time datetime=\"2025-03-01T10:00:00Z\">1 Mar 2025, 10:00 UTC</time>");
        assertThat(SharePageView.passwordForm("<b>no</b>")).contains("&lt;b&gt;no&lt;/b&gt;");
    }

    @Test
    void onlyTheKeysLastSegmentIsShown() {
        assertThat(SharePage.fileName("a/b/c.txt")).isEqualTo("c.txt");
        assertThat(SharePage.fileName("folder/sub/")).isEqualTo("sub");
        assertThat(SharePage.fileName("plain")).isEqualTo("plain");
        assertThat(SharePage.fileName("/")).isEqualTo("file");
    }
}
