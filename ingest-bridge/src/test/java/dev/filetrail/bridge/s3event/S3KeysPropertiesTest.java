package dev.filetrail.bridge.s3event;

import static org.assertj.core.api.Assertions.assertThat;

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
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Keys survive S3's form-URL-encoding and the bridge's decoding unchanged, whatever they contain. */
class S3KeysPropertiesTest {
    private final MessageTranslator translator = new MessageTranslator("q", Clock.systemUTC());

    @Property(tries = 300)
    void decodingInvertsS3Encoding(@ForAll("keys") String key) {
        assertThat(S3Keys.decode(URLEncoder.encode(key, StandardCharsets.UTF_8))).isEqualTo(key);
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

    @Provide
    Arbitrary<String> keys() {
        // Any Unicode S3 accepts (no unpaired surrogates), capped at S3's 1024 UTF-8 bytes.
        return Arbitraries.strings()
                .withCharRange(' ', '\uD7FF')
                .withCharRange('\uE000', '\uFFFD')
                .withChars("+%/ &?=#@:;,$!'()*~")
                .ofMinLength(1).ofMaxLength(400)
                .filter(s -> s.getBytes(StandardCharsets.UTF_8).length <= 1024)
                .injectDuplicates(0.0)
                .edgeCases(edges -> edges.add("a".repeat(1024)))
                ;
    }

    @Provide
    Arbitrary<String> plain() {
        return Arbitraries.strings().alpha().numeric().ofMaxLength(20);
    }
}
