package dev.filetrail.launcher.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyComparisonTest {
    private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");

    private static ObjectEntry version(String id, String storageClass, boolean latest) {
        return new ObjectEntry("k", id, false, storageClass, latest, T, 1L, "e");
    }

    private static ObjectEntry marker(String id, boolean latest) {
        return new ObjectEntry("k", id, true, null, latest, T, null, null);
    }

    @Test
    void identicalSidesHaveNoDifferences() {
        List<ObjectEntry> entries = List.of(marker("m", true), version("v2", "STANDARD", false), version("v1", null, false));
        assertThat(KeyComparison.compare("b", "k", entries, entries)).isEmpty();
    }

    @Test
    void absentStorageClassMeansStandard() {
        assertThat(KeyComparison.compare("b", "k", List.of(version("v1", null, true)),
                List.of(version("v1", "STANDARD", true)))).isEmpty();
    }

    @Test
    void reportsMissingExtraClassAndCurrent() {
        List<ObjectEntry> s3 = List.of(version("v3", "STANDARD", true), version("v2", "STANDARD_IA", false),
                version("v1", "STANDARD", false));
        List<ObjectEntry> filetrail = List.of(version("v2", "GLACIER", true), version("v1", "STANDARD", false),
                version("v0", "STANDARD", false));
        List<Difference> differences = KeyComparison.compare("b", "k", s3, filetrail);
        assertThat(differences).extracting(Difference::kind, Difference::versionId).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(Difference.Kind.MISSING_VERSION, "v3"),
                org.assertj.core.groups.Tuple.tuple(Difference.Kind.WRONG_STORAGE_CLASS, "v2"),
                org.assertj.core.groups.Tuple.tuple(Difference.Kind.EXTRA_VERSION, "v0"),
                org.assertj.core.groups.Tuple.tuple(Difference.Kind.WRONG_CURRENT_VERSION, "v3"));
        assertThat(differences).allMatch(Difference::repairable);
    }

    @Test
    void aWrongOrderAloneIsNotRepairable() {
        List<ObjectEntry> s3 = List.of(version("v2", "STANDARD", true), version("v1", "STANDARD", false));
        List<ObjectEntry> filetrail = List.of(version("v2", "STANDARD", false), version("v1", "STANDARD", true));
        List<Difference> differences = KeyComparison.compare("b", "k", s3, filetrail);
        assertThat(differences).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(Difference.Kind.WRONG_CURRENT_VERSION);
            assertThat(d.repairable()).isFalse();
            assertThat(new RepairEvents("us-east-1").repair(d, T)).isEmpty();
        });
    }

    @Test
    void aKeyOnlyOneSideKnowsIsAllMissingOrAllExtra() {
        assertThat(KeyComparison.compare("b", "k", List.of(marker("m", true), version("v1", null, false)), List.of()))
                .extracting(Difference::kind).containsOnly(Difference.Kind.MISSING_VERSION).hasSize(2);
        assertThat(KeyComparison.compare("b", "k", List.of(), List.of(version("v1", null, true))))
                .extracting(Difference::kind).containsExactly(Difference.Kind.EXTRA_VERSION);
    }

    @Test
    void repairIdsAreDeterministicAndTimeIndependentForRemovals() {
        RepairEvents repairs = new RepairEvents("us-east-1");
        Difference extra = new Difference(Difference.Kind.EXTRA_VERSION, "b", "k", "v0", null,
                version("v0", "STANDARD", false), true);
        assertThat(repairs.repair(extra, T).orElseThrow().eventId())
                .isEqualTo(repairs.repair(extra, T.plusSeconds(3600)).orElseThrow().eventId());
        Difference missing = new Difference(Difference.Kind.MISSING_VERSION, "b", "k", "m", marker("m", true), null, true);
        var event = repairs.repair(missing, T).orElseThrow();
        assertThat(event.type()).isEqualTo(dev.filetrail.events.object.ObjectEventType.DELETE_MARKER_CREATED);
        assertThat(event.origin().source()).isEqualTo("reconcile");
        assertThat(event.eventTime()).isEqualTo(T);
    }

    @Test
    void keysAreOrderedByUtf8BytesLikeS3() {
        // U+FF5E sorts before U+1F600 in UTF-16 order but after it... no: 0xEF.. < 0xF0.. in UTF-8, and
        // 0xFF5E > 0xD83D in UTF-16: the two orders disagree, and S3 uses UTF-8.
        assertThat(KeyOrder.UTF8_BINARY.compare("\uFF5E", "\uD83D\uDE00")).isNegative();
        assertThat("\uFF5E".compareTo("\uD83D\uDE00")).isPositive();
    }
}
