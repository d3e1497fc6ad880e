package dev.filetrail.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import java.time.Clock;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever arrives, the translator answers (never throws) and loses nothing: a rejected body is kept whole. */
class MessageTranslatorPropertiesTest {
    private static final String GOOD = "{\"Records\":[" + TestMessages.s3Record("ObjectCreated:Put", "bucket-1",
            "photos/a b.jpg", "v1", "0055AED6DCD90281E5", 10L) + "]}";
    private final MessageTranslator translator = new MessageTranslator("q", Clock.systemUTC());

    @Property(tries = 500)
    void anyStringIsPublishedOrDeadLetteredWhole(@ForAll("bodies") String body) {
        Translation translation = translator.translate(new InboundMessage("m", body, 1, Instant.now()));
        assertThat(translation).isNotNull();
        if (translation instanceof Translation.Reject reject) {
            assertThat(reject.deadLetter().rawBody()).isEqualTo(body);
            assertThat(reject.deadLetter().reason()).isNotBlank();
            assertThat(translation.records()).singleElement()
                    .satisfies(r -> assertThat(r.topic()).isEqualTo(Topics.INGEST_DLQ.name()));
        } else if (translation instanceof Translation.Publish) {
            assertThat(translation.records()).isNotEmpty()
                    .allSatisfy(r -> assertThat(r.key()).isNotBlank());
        }
    }

    @Property(tries = 300)
    void truncatedNotificationsAreDeadLettered(@ForAll("cuts") int cut) {
        String body = GOOD.substring(0, cut);
        Translation translation = translator.translate(new InboundMessage("m", body, 1, Instant.now()));
        assertThat(translation).isInstanceOf(Translation.Reject.class);
        assertThat(translation.records().get(0).value()).isEqualTo(Json.write(((Translation.Reject) translation).deadLetter()));
    }

    @Provide
    Arbitrary<String> bodies() {
        Arbitrary<String> noise = Arbitraries.strings().ofMaxLength(300);
        Arbitrary<String> jsonish = Arbitraries.strings().withChars("{}[]\":,0123456789abcRecords.- ").ofMaxLength(200);
        Arbitrary<String> mutated = Arbitraries.integers().between(0, GOOD.length() - 1)
                .flatMap(i -> Arbitraries.of('{', '}', '"', ':', ',', 'x', '0', ' ').map(c -> GOOD.substring(0, i) + c + GOOD.substring(i + 1)));
        Arbitrary<String> wrapped = mutated.map(m -> TestMessages.snsEnvelope(m, "sns-p"));
        return Arbitraries.oneOf(noise, jsonish, mutated, wrapped);
    }

    @Provide
    Arbitrary<Integer> cuts() {
        return Arbitraries.integers().between(0, GOOD.length() - 1);
    }
}
