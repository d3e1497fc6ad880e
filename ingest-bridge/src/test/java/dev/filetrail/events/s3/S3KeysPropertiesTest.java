package dev.filetrail.events.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.bridge.InboundMessage;
import dev.filetrail.bridge.MessageTranslator;
import dev.filetrail.bridge.TestMessages;
import dev.filetrail.bridge.Translation;
import dev.filetrail.events.Json;
import dev.filetrail.events.object.ObjectEvent;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Keys survive S3's form-URL-encoding and the bridge's decoding unchanged, whatever they contain; a key S3 would
 * refuse (over 1024 bytes once decoded, not UTF-8, a broken percent-escape) is dead-lettered with that reason.
 */
class S3KeysPropertiesTest {
    private final MessageTranslator translator = new MessageTranslator("q", Clock.systemUTC());

    @Property(tries = 300)
    void decodingInvertsS3Encoding(@ForAll("keys") String key) {
        assertThat(S3Keys.decode(URLEncoder.encode(key, StandardCharsets.UTF_8))).isEqualTo(key);
    }

    @Property(tries = 200)
    void aKeyLeftRawOrHalfEncodedDecodesToItselfToo(@ForAll("keys") String key) {
        // S3 escapes every non-ASCII byte, but text that arrives unescaped is still the same key.
        String raw = key.replace("%", "%25").replace("+", "%2B");
        assertThat(S3Keys.decode(raw)).isEqualTo(key);
    }

    @Property(tries = 200)
    void everyKeyArrivesDecodedInTheEventAndItsRecordKey(@ForAll("keys") String key) {
        String body = "{\"Records\":[" + TestMessages.s3Record("ObjectCreated:Put", "bucket-1", key, "v", "0A", 3L) + "]}";
        Translation translation = translator.translate(new InboundMessage("m", body, 1, Instant.now()));
        assertThat(translation).isInstanceOf(Translation.Publish.class);
        ObjectEvent event = Json.read(translation.records().get(0).value(), ObjectEvent.class);
        assertThat(event.key()).isEqualTo(key);
        assertThat(translation.records().get(0).key()).isEqualTo("bucket-1/" + key);
    }

    @Property(tries = 100)
    void plusIsASpaceAndPercent2BIsAPlus(@ForAll("plain") String a, @ForAll("plain") String b) {
        assertThat(S3Keys.decode(a + "+" + b + "%2B")).isEqualTo(a + " " + b + "+");
    }

    @Property(tries = 100)
    void aKeyOverS3sLimitIsDeadLetteredWithItsLength(@ForAll("tooLong") String key) {
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        assertThatThrownBy(() -> S3Keys.decode(URLEncoder.encode(key, StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageStartingWith("object key is " + bytes + " bytes of UTF-8 once decoded; S3 keys are at most 1024");
        assertRejected(URLEncoder.encode(key, StandardCharsets.UTF_8), "object key is " + bytes + " bytes");
    }

    @Property(tries = 100)
    void bytesThatAreNotUtf8AreDeadLettered(@ForAll("plain") String prefix, @ForAll("notUtf8") byte[] bad) {
        String encoded = prefix + "%" + HexFormat.ofDelimiter("%").withUpperCase().formatHex(bad);
        assertThatThrownBy(() -> S3Keys.decode(encoded)).isInstanceOf(MalformedMessageException.class)
                .hasMessageStartingWith("object key is not UTF-8 once decoded");
        assertRejected(encoded, "object key is not UTF-8 once decoded");
    }

    @Property(tries = 100)
    void brokenPercentEscapesAreDeadLettered(@ForAll("plain") String prefix, @ForAll("brokenEscapes") String broken) {
        String encoded = prefix + broken;
        assertThatThrownBy(() -> S3Keys.decode(encoded)).isInstanceOf(MalformedMessageException.class)
                .hasMessageStartingWith("object key has an invalid percent-escape at position " + prefix.length());
        assertRejected(encoded, "object key has an invalid percent-escape");
    }

    private void assertRejected(String encodedKey, String reason) {
        String body = "{\"Records\":[" + TestMessages.s3RecordEncoded("ObjectCreated:Put", "bucket-1", encodedKey, "v",
                "0A", 3L) + "]}";
        Translation translation = translator.translate(new InboundMessage("m", body, 1, Instant.now()));
        assertThat(translation).isInstanceOfSatisfying(Translation.Reject.class, reject -> {
            assertThat(reject.deadLetter().reason()).startsWith("Records[0]: " + reason);
            assertThat(reject.deadLetter().rawBody()).isEqualTo(body);
        });
    }

    /** Any key S3 accepts: Unicode scalar values of every plane (no unpaired surrogates), 1 to 1024 UTF-8 bytes. */
    @Provide
    Arbitrary<String> keys() {
        Arbitrary<String> special = Arbitraries.of("\u0000", "\u0001", "\u001F", "\u007F", "+", "%", "/", "?", " ",
                "&", "=", "#", "@", ":", ";", ",", "$", "!", "'", "(", ")", "*", "~", "\\", "\"", "\n", "\uFFFD",
                "\uFFFF", "%2B", "%zz");
        Arbitrary<String> bmp = Arbitraries.integers().between(0, 0xFFFF)
                .filter(c -> c < 0xD800 || c > 0xDFFF).map(Character::toString);
        Arbitrary<String> astral = Arbitraries.integers().between(0x10000, 0x10FFFF).map(Character::toString);
        Arbitrary<String> ascii = Arbitraries.chars().range(' ', '~').map(String::valueOf);
        Arbitrary<String> random = Arbitraries.frequencyOf(Tuple.of(4, ascii), Tuple.of(3, special), Tuple.of(2, bmp),
                        Tuple.of(2, astral))
                .list().ofMinSize(1).ofMaxSize(300).map(l -> String.join("", l));
        Arbitrary<String> longest = Arbitraries.of("a".repeat(1024), "\u0000".repeat(1024),
                "\uD83D\uDE00".repeat(256), "\u00E9".repeat(511) + "+%", "/".repeat(1024), "\u4E2D".repeat(341) + "x");
        return Arbitraries.frequencyOf(Tuple.of(9, random), Tuple.of(1, longest))
                .filter(s -> s.getBytes(StandardCharsets.UTF_8).length <= S3Keys.MAX_KEY_BYTES);
    }

    @Provide
    Arbitrary<String> tooLong() {
        return Arbitraries.of("a", "\u00E9", "\uD83D\uDE00", "\u4E2D", "%", " ", "\u0000")
                .list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("", l))
                .flatMap(unit -> Arbitraries.integers().between(1, 600).map(extra -> {
                    String key = unit;
                    while (key.getBytes(StandardCharsets.UTF_8).length <= S3Keys.MAX_KEY_BYTES) {
                        key = key + unit;
                    }
                    return key + "x".repeat(extra);
                }));
    }

    /** Byte sequences no UTF-8 decoder accepts: stray continuations, truncated, overlong, surrogates, > U+10FFFF. */
    @Provide
    Arbitrary<byte[]> notUtf8() {
        return Arbitraries.of(new byte[] {(byte) 0x80}, new byte[] {(byte) 0xBF}, new byte[] {(byte) 0xC3},
                new byte[] {(byte) 0xC3, 0x28}, new byte[] {(byte) 0xE2, (byte) 0x82}, new byte[] {(byte) 0xFF},
                new byte[] {(byte) 0xC0, (byte) 0xAF}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98});
    }

    @Provide
    Arbitrary<String> brokenEscapes() {
        return Arbitraries.of("%", "%4", "%G1", "%1G", "%%", "%-1", "% 1", "%\u0663\u0663", "%4x", "%zz");
    }

    @Provide
    Arbitrary<String> plain() {
        return Arbitraries.strings().alpha().numeric().ofMaxLength(20);
    }
}
