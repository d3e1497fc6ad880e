package dev.filetrail.api.shares;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UnlockCookieTest {
    final Instant now = Instant.parse("2025-03-01T10:00:00Z");
    final UnlockCookie cookies = new UnlockCookie("shared secret".getBytes(StandardCharsets.UTF_8), true);

    static String value(String setCookie) {
        return setCookie.substring(UnlockCookie.NAME.length() + 1, setCookie.indexOf(';'));
    }

    @Test
    void aCookieUnlocksItsLinkUntilItExpires() {
        String setCookie = cookies.issue("TOKEN", "shl_1", "hash", now);
        assertThat(setCookie).contains("Path=/s/TOKEN").contains("HttpOnly").contains("SameSite=Strict")
                .contains("Secure").contains("Max-Age=1800");
        String value = value(setCookie);
        assertThat(cookies.unlocks(value, "shl_1", "hash", now.plusSeconds(1799))).isTrue();
        assertThat(cookies.unlocks(value, "shl_1", "hash", now.plusSeconds(1800))).isFalse();
    }

    @Test
    void itUnlocksNothingElse() {
        String value = value(cookies.issue("TOKEN", "shl_1", "hash", now));
        assertThat(cookies.unlocks(value, "shl_2", "hash", now)).isFalse();
        assertThat(cookies.unlocks(value, "shl_1", "other hash", now)).isFalse();
        UnlockCookie otherSecret = new UnlockCookie("other".getBytes(StandardCharsets.UTF_8), true);
        assertThat(otherSecret.unlocks(value, "shl_1", "hash", now)).isFalse();
        String later = (Long.parseLong(value.substring(0, value.indexOf('.'))) + 3600) + value.substring(value.indexOf('.'));
        assertThat(cookies.unlocks(later, "shl_1", "hash", now)).as("a moved expiry breaks the MAC").isFalse();
        for (String garbage : new String[] {null, "", ".", "x.y", "123", "123.", "9999999999.AAAA"}) {
            assertThat(cookies.unlocks(garbage, "shl_1", "hash", now)).as(String.valueOf(garbage)).isFalse();
        }
        assertThat(new UnlockCookie(new byte[] {1}, false).issue("T", "l", "h", now)).doesNotContain("Secure");
    }
}
