package dev.filetrail.events.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.events.Json;
import dev.filetrail.events.WireValues;
import dev.filetrail.events.processing.ExifData;
import dev.filetrail.events.processing.Thumbnail;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class HistoryWriterTest {

    @Property(tries = 2000)
    void writesTheChangeBytesJacksonWrites(@ForAll("changes") FileVersionChange change) {
        byte[] written = HistoryWriter.write(change);

        assertThat(new String(written, StandardCharsets.UTF_8))
                .isEqualTo(new String(Json.write(change), StandardCharsets.UTF_8));
        assertThat(Json.read(written, FileVersionChange.class)).isEqualTo(change);
    }

    @Property(tries = 1000)
    void writesTheHeadBytesJacksonWrites(@ForAll("heads") FileHead head) {
        byte[] written = HistoryWriter.write(head);

        assertThat(new String(written, StandardCharsets.UTF_8))
                .isEqualTo(new String(Json.write(head), StandardCharsets.UTF_8));
        assertThat(Json.read(written, FileHead.class)).isEqualTo(head);
    }

    @Test
    void aTypicalChangeKeepsItsFieldOrderAndLeavesNullsOut() {
        Instant at = Instant.parse("2026-11-26T10:00:00.120Z");
        FileVersion version = new FileVersion("b", "a.jpg", "v1", "00AB", false, 12L, "e", "STANDARD", at, null,
                "ev", null, null, null);
        FileHead head = new FileHead("b", "a.jpg", false, "v1", 1, 0, 12L, "e", null, "STANDARD", at, "v1");

        assertThat(new String(HistoryWriter.write(new FileVersionChange("c", ChangeType.VERSION_CREATED, "b", "a.jpg",
                "v1", version, head, "ev", at)), StandardCharsets.UTF_8)).isEqualTo(
                "{\"changeId\":\"c\",\"change\":\"VERSION_CREATED\",\"bucket\":\"b\",\"key\":\"a.jpg\",\"versionId\":\"v1\","
                        + "\"version\":{\"bucket\":\"b\",\"key\":\"a.jpg\",\"versionId\":\"v1\",\"sequencer\":\"00AB\","
                        + "\"deleteMarker\":false,\"size\":12,\"eTag\":\"e\",\"storageClass\":\"STANDARD\","
                        + "\"createdAt\":\"2026-11-26T10:00:00.120Z\",\"createdEventId\":\"ev\"},"
                        + "\"head\":{\"bucket\":\"b\",\"key\":\"a.jpg\",\"deleted\":false,\"currentVersionId\":\"v1\","
                        + "\"versionCount\":1,\"deleteMarkerCount\":0,\"size\":12,\"eTag\":\"e\","
                        + "\"storageClass\":\"STANDARD\",\"lastModified\":\"2026-11-26T10:00:00.120Z\","
                        + "\"latestVersionId\":\"v1\"},\"causeEventId\":\"ev\",\"eventTime\":\"2026-11-26T10:00:00.120Z\"}");
    }

    private static Arbitrary<String> text() {
        return WireValues.text(30);
    }

    private static Arbitrary<Instant> instants() {
        return WireValues.instants();
    }

    @Provide
    Arbitrary<FileHead> heads() {
        Arbitrary<String[]> s = text().array(String[].class).ofSize(8);
        Arbitrary<Long> counts = Arbitraries.longs().between(-1, Long.MAX_VALUE);
        return Combinators.combine(s, Arbitraries.of(true, false), counts, counts, Arbitraries.longs().injectNull(0.2),
                instants()).as((t, deleted, versions, markers, size, modified) ->
                new FileHead(t[0], t[1], deleted, t[2], versions, markers, size, t[3], t[4], t[5], modified, t[6]));
    }

    @Provide
    Arbitrary<FileVersionChange> changes() {
        Arbitrary<String[]> s = text().array(String[].class).ofSize(6);
        Arbitrary<Instant[]> t = instants().array(Instant[].class).ofSize(3);
        Arbitrary<FileVersion.Restore> restores = Combinators.combine(text(), instants(), text(), instants())
                .as(FileVersion.Restore::new).injectNull(0.7);
        Arbitrary<Thumbnail> thumbnails = Combinators.combine(Arbitraries.integers(), Arbitraries.integers(),
                text(), text(), Arbitraries.longs()).as((size, width, bucket, key, bytes) ->
                new Thumbnail(size, width, size, "image/jpeg", bucket, key, bytes));
        Arbitrary<ExifData> exif = Combinators.combine(instants(), text(), text(), Arbitraries.integers().injectNull(0.3),
                Arbitraries.doubles().injectNull(0.3)).as((at, make, model, orientation, gps) ->
                new ExifData(at, make, model, orientation, gps, gps)).injectNull(0.5);
        Arbitrary<FileVersion.Derivatives> derivatives = Combinators.combine(text(), Arbitraries.integers().injectNull(0.3),
                exif, thumbnails.list().ofMaxSize(3).injectNull(0.3), text(), text()).as((type, width, ex, thumbs, sha, why) ->
                new FileVersion.Derivatives(type, width, width, sha, ex, thumbs, why, why)).injectNull(0.7);
        // Keys without lone surrogates: Jackson writes them but cannot read them back as field names.
        Arbitrary<String> tagKeys = Arbitraries.oneOf(Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(20),
                Arbitraries.of("über", "日本語", "emoji \uD83D\uDCF7", "\u0000\n\""));
        Arbitrary<Map<String, String>> tags = Combinators.combine(tagKeys.list().ofMaxSize(4), tagKeys.list().ofSize(4))
                .as((keys, values) -> {
                    Map<String, String> m = new LinkedHashMap<>();
                    for (int i = 0; i < keys.size(); i++) {
                        m.put(keys.get(i), values.get(i));
                    }
                    return m;
                }).injectNull(0.5);
        Arbitrary<FileVersion> versions = Combinators.combine(s, t, Arbitraries.of(true, false),
                Arbitraries.longs().injectNull(0.2), restores, derivatives, tags).as((x, at, marker, size, restore, d, tg) ->
                new FileVersion(x[0], x[1], x[2], x[3], marker, size, x[4], x[5], at[0], x[0], x[1], restore, at[1], d,
                        tg, at[2]))
                .injectNull(0.1);
        return Combinators.combine(s, t, Arbitraries.of(ChangeType.class).injectNull(0.05), versions,
                heads().injectNull(0.1)).as((x, at, type, version, head) ->
                new FileVersionChange(x[0], type, x[1], x[2], x[3], version, head, x[4], at[0], x[5]));
    }

    @Test
    void derivativesAndTagsGoThroughTheMapper() {
        FileVersion version = new FileVersion("b", "k", "v", null, false, null, null, null, null, null, null, null,
                null, new FileVersion.Derivatives("image/png", 3, 4, null, null, List.of(), null), Map.of("a", "1"),
                null);
        assertThat(new String(HistoryWriter.write(new FileVersionChange("c", ChangeType.DERIVATIVES_ATTACHED, "b", "k",
                "v", version, null, null, null)), StandardCharsets.UTF_8))
                .contains("\"derivatives\":{\"contentType\":\"image/png\",\"width\":3,\"height\":4,\"thumbnails\":[]}",
                        "\"tags\":{\"a\":\"1\"}");
    }
}
