package dev.filetrail.api.shares;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TextPreviewTest {

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void smallTextFilesQualifyByTypeAndSize() {
        assertThat(TextPreview.applies("text/plain; charset=utf-8", 10L)).isTrue();
        assertThat(TextPreview.applies("application/json", 10L)).isTrue();
        assertThat(TextPreview.applies("application/ld+json", 10L)).isTrue();
        assertThat(TextPreview.applies("image/png", 10L)).isFalse();
        assertThat(TextPreview.applies("application/octet-stream", 10L)).isFalse();
        assertThat(TextPreview.applies("text/plain", 0L)).isFalse();
        assertThat(TextPreview.applies("text/plain", TextPreview.MAX_FILE_BYTES + 1)).isFalse();
        assertThat(TextPreview.applies(null, 10L)).isFalse();
    }

    @Test
    void aWholeShortFileIsShownAsItIs() {
        var lines = TextPreview.lines(utf8("one\r\ntwo\n\tthree\n"), false).orElseThrow();
        assertThat(lines.text()).isEqualTo("one\ntwo\n\tthree");
        assertThat(lines.truncated()).isFalse();
    }

    @Test
    void onlyTheFirstLinesAreShown() {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 25; i++) {
            text.append("line ").append(i).append('\n');
        }
        var lines = TextPreview.lines(utf8(text.toString()), false).orElseThrow();
        assertThat(lines.text().split("\n")).hasSize(TextPreview.MAX_LINES).startsWith("line 1").endsWith("line 20");
        assertThat(lines.truncated()).isTrue();
    }

    @Test
    void aCharacterCutByTheRangeIsDroppedButInvalidUtf8MeansNoPreview() {
        byte[] cut = Arrays.copyOf(utf8("grüße"), 3);
        assertThat(TextPreview.lines(cut, true).orElseThrow().text()).isEqualTo("gr");
        assertThat(TextPreview.lines(cut, false)).as("the same bytes as a whole file are not UTF-8").isEmpty();
        assertThat(TextPreview.lines(new byte[] {'a', (byte) 0xff, 'b'}, true)).isEmpty();
        assertThat(TextPreview.lines(utf8("  \n \n"), false)).as("nothing to show").isEmpty();
    }

    @Test
    void controlAndBidiCharactersAreShownAsReplacementCharacters() {
        var lines = TextPreview.lines(utf8("a\u0000b\u001bc\u202Ed\u2066e\u0085f"), false).orElseThrow();
        assertThat(lines.text()).isEqualTo("a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf");
        assertThat(TextPreview.lines(utf8("\uFEFFbom"), false).orElseThrow().text()).isEqualTo("bom");
    }
}
