package dev.filetrail.streams.history;

import static dev.filetrail.streams.Facts.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.events.Topics;
import dev.filetrail.events.history.ChangeType;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.history.FileVersionChange;
import dev.filetrail.events.share.ShareLink;
import dev.filetrail.streams.Facts;
import dev.filetrail.streams.TopologyFixture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Every key S3 can hold (1–1024 bytes of UTF-8, any character, U+0000 and the store's own separators included)
 * keeps a history of its own: however keys relate (one a prefix of another, differing only after a NUL), two keys
 * never share a version, a parked item, a share link or a head.
 */
class StoreKeysPropertiesTest {
    private static final int MAX_KEY_BYTES = 1024;

    private TopologyFixture topology;
    private int bucketNumber;

    @BeforeProperty
    void start() {
        topology = new TopologyFixture();
    }

    @AfterProperty
    void stop() {
        topology.close();
    }

    @Property(tries = 300)
    void escapingRoundTripsAndNoEscapedKeyContainsTheSeparator(@ForAll("keys") String key) {
        String stored = StoreKeys.escape(key);
        assertThat(stored).doesNotContain(String.valueOf(StoreKeys.SEP));
        assertThat(StoreKeys.unescape(stored)).isEqualTo(key);
        if (key.indexOf('\u0000') < 0 && key.indexOf('\u0001') < 0) {
            assertThat(stored).isSameAs(key);
        }
    }

    @Property(tries = 300)
    void oneObjectsRangeHoldsNoKeyOfAnother(@ForAll("related") List<String> keys) {
        for (String a : keys) {
            for (String b : keys) {
                if (a.equals(b)) {
                    continue;
                }
                String entryOfB = StoreKeys.version(b, "0001", "v1");
                boolean inRangeOfA = entryOfB.compareTo(StoreKeys.prefix(a)) >= 0
                        && entryOfB.compareTo(StoreKeys.prefixEnd(a)) <= 0;
                assertThat(inRangeOfA).as("%s in the range of %s", printable(b), printable(a)).isFalse();
                assertThat(StoreKeys.member(a, "v1")).isNotEqualTo(StoreKeys.member(b, "v1"));
                assertThat(StoreKeys.parked(b, "v1", at(1), "x")).doesNotStartWith(StoreKeys.parkedPrefix(a, "v1"));
            }
        }
    }

    @Property(tries = 60)
    void everyKeysHistoryStaysItsOwn(@ForAll("related") List<String> keys) {
        String bucket = "keys-" + (++bucketNumber);
        Map<String, List<String>> expected = new HashMap<>();
        long clock = 0;
        // Interleaved on purpose, and with the same version ids for every key: merged keys would collide.
        for (int i = 0; i < keys.size(); i++) {
            // A tag change that arrives before its version is parked under (key, v1) until v1 comes.
            topology.send(Facts.tags(bucket, keys.get(i), "v1", true, at(++clock)));
        }
        for (int round = 1; round <= 3; round++) {
            for (int i = 0; i < keys.size(); i++) {
                if (round <= 1 + i % 3) {
                    String versionId = "v" + round;
                    topology.send(Facts.put(bucket, keys.get(i), versionId, String.format("%04X", round), at(++clock)));
                    expected.computeIfAbsent(keys.get(i), k -> new ArrayList<>()).add(versionId);
                }
            }
            if (round == 1) {
                for (int i = 0; i < keys.size(); i++) {
                    topology.send(Facts.createLink("c-" + bucket + "-" + i, "l-" + bucket + "-" + i, bucket,
                            keys.get(i), null, at(++clock)));
                }
            }
        }
        // Removing the newest version of the last key seeks back to its previous one: it must not find a neighbour's.
        String last = keys.get(keys.size() - 1);
        List<String> lastVersions = expected.get(last);
        if (lastVersions.size() > 1) {
            String newest = lastVersions.remove(lastVersions.size() - 1);
            topology.send(Facts.remove(bucket, last, newest, "FFFF", at(++clock)));
        }

        List<FileVersionChange> changes = topology.changes();
        Map<String, FileHead> heads = topology.latestHeads();
        Map<String, ShareLink> links = new HashMap<>();
        topology.links().forEach(l -> links.put(l.linkId(), l));
        assertThat(topology.parked()).as("every parked tag change found its own version").isEmpty();
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            String objectKey = Topics.objectKey(bucket, key);
            List<String> versions = expected.get(key);
            String current = versions.get(versions.size() - 1);
            assertThat(topology.storedVersions(objectKey)).as(printable(key))
                    .allSatisfy(v -> assertThat(v.version().key()).isEqualTo(key))
                    .extracting(v -> v.version().versionId()).containsExactlyElementsOf(versions);
            assertThat(heads.get(objectKey)).as(printable(key)).satisfies(h -> {
                assertThat(h.key()).isEqualTo(key);
                assertThat(h.versionCount()).isEqualTo(versions.size());
                assertThat(h.currentVersionId()).isEqualTo(current);
            });
            assertThat(changes).filteredOn(c -> c.key().equals(key) && c.change() == ChangeType.TAGS_CHANGED)
                    .as("the parked tag change of %s", printable(key)).singleElement()
                    .satisfies(c -> assertThat(c.versionId()).isEqualTo("v1"));
            assertThat(links.get("l-" + bucket + "-" + i)).satisfies(l -> {
                assertThat(l.key()).isEqualTo(key);
                assertThat(l.resolvedVersionId()).isEqualTo(current);
            });
        }
        assertThat(changes).allSatisfy(c -> assertThat(c.recordKey()).isEqualTo(Topics.objectKey(c.bucket(), c.key())));
    }

    /** A few keys related as badly as keys can be: prefixes of each other, equal up to a NUL or a separator. */
    @Provide
    Arbitrary<List<String>> related() {
        Arbitrary<String> suffix = Arbitraries.of("", "\u0000", "\u0001", "\u0002", "\u0000\u0000", "\u0001\u0000",
                "\u0000v1", "/", " ", "+", "%00", "?", "\uD83D\uDE00", "\u0000\u0001x");
        return Combinators.combine(keys(), suffix.list().ofMinSize(1).ofMaxSize(5)).as((base, suffixes) -> {
            Set<String> family = new LinkedHashSet<>();
            family.add(base);
            String grown = base;
            for (String s : suffixes) {
                family.add(base + s);
                grown = grown + s;
                family.add(grown);
            }
            if (base.length() > 1) {
                family.add(base.substring(0, base.length() / 2));
            }
            family.removeIf(k -> k.isEmpty() || utf8Length(k) > MAX_KEY_BYTES || !wellFormed(k));
            return List.copyOf(family);
        }).filter(l -> l.size() >= 2);
    }

    /** Keys S3 accepts: any Unicode scalar values, every plane, 1 to 1024 UTF-8 bytes. */
    @Provide
    Arbitrary<String> keys() {
        Arbitrary<String> special = Arbitraries.of("\u0000", "\u0001", "\u0002", "\u001F", "\u007F", "+", "%", "/", "?",
                " ", "&", "#", "\\", "\n", "\r", "\t", "\uFFFD", "\uFFFF");
        Arbitrary<String> bmp = Arbitraries.integers().between(0, 0xFFFF)
                .filter(c -> c < 0xD800 || c > 0xDFFF).map(Character::toString);
        Arbitrary<String> astral = Arbitraries.integers().between(0x10000, 0x10FFFF).map(Character::toString);
        Arbitrary<String> ascii = Arbitraries.chars().range(' ', '~').map(String::valueOf);
        Arbitrary<String> character = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, ascii), net.jqwik.api.Tuple.of(3, special),
                net.jqwik.api.Tuple.of(2, bmp), net.jqwik.api.Tuple.of(2, astral));
        Arbitrary<String> random = character.list().ofMinSize(1).ofMaxSize(60).map(l -> String.join("", l));
        Arbitrary<String> longest = Arbitraries.of(
                "a".repeat(MAX_KEY_BYTES),
                "a".repeat(MAX_KEY_BYTES - 1) + "\u0000",
                "\u0000".repeat(MAX_KEY_BYTES),
                "\uD83D\uDE00".repeat(MAX_KEY_BYTES / 4),
                "\u00E9".repeat(MAX_KEY_BYTES / 2 - 2) + "\u0001/x",
                "dir/".repeat(MAX_KEY_BYTES / 4 - 1) + "\u0000\u0001");
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(8, random), net.jqwik.api.Tuple.of(1, longest))
                .filter(k -> utf8Length(k) <= MAX_KEY_BYTES);
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** No unpaired surrogates (a half cut from an emoji by substring is not a key S3 can hold). */
    private static boolean wellFormed(String s) {
        return StandardCharsets.UTF_8.newEncoder().canEncode(s);
    }

    private static String printable(String key) {
        StringBuilder out = new StringBuilder();
        key.codePoints().limit(80).forEach(c -> out.append(c < 0x20 || c == 0x7F ? String.format("\\u%04x", c)
                : Character.toString(c)));
        return out + " (" + utf8Length(key) + " bytes)";
    }
}
