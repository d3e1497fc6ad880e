package dev.filetrail.streams.history;

import static dev.filetrail.streams.Facts.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.events.Topics;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.streams.Facts;
import dev.filetrail.streams.TopologyFixture;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The head is not stored apart from the versions: the newest entry carries the object's counts, and the
 * {@code objects} store holds only parked and link counts while there are any. What the store reads back as the head
 * is what was published, through late entries, markers and removals of the newest entry.
 */
class NewestEntryCountsTest {
    private static final String B = "photos";
    private static final String K = "2025/dog.jpg";
    private static final String OBJ = Topics.objectKey(B, K);
    private final TopologyFixture t = new TopologyFixture();
    /** The last files.v1 record per key so far (the fixture hands each record out once). */
    private final java.util.Map<String, FileHead> heads = new java.util.HashMap<>();

    @AfterEach
    void close() {
        t.close();
    }

    private void assertHeadReadBackIsThePublishedOne() {
        heads.putAll(t.latestHeads());
        FileHead published = heads.get(OBJ);
        FileHead stored = t.versionStore().head(OBJ);
        assertThat(stored).isEqualTo(published);
        List<KeyValue<String, byte[]>> entries = new ArrayList<>();
        try (var it = t.rawVersions().prefixScan(StoreKeys.prefix(OBJ),
                new org.apache.kafka.common.serialization.StringSerializer())) {
            it.forEachRemaining(entries::add);
        }
        if (published == null) {
            assertThat(entries).isEmpty();
            return;
        }
        // The newest entry (last in order) carries the published counts.
        assertThat(StateCodec.countsOf(entries.get(entries.size() - 1).value))
                .containsExactly(published.versionCount(), published.deleteMarkerCount());
    }

    @Test
    void theNewestEntryCarriesTheCountsThroughLateEntriesMarkersAndRemovals() {
        t.send(Facts.put(B, K, "v1", "10", at(1)), Facts.put(B, K, "v2", "20", at(2)));
        assertHeadReadBackIsThePublishedOne();
        t.send(Facts.put(B, K, "v0", "05", at(3))); // late: lands below the newest, which gets the new counts
        assertHeadReadBackIsThePublishedOne();
        assertThat(t.versionStore().head(OBJ).versionCount()).isEqualTo(3);
        t.send(Facts.marker(B, K, "m1", "30", at(4)));
        assertHeadReadBackIsThePublishedOne();
        t.send(Facts.remove(B, K, "m1", "31", at(5))); // the newest goes: v2 becomes newest and takes the counts
        assertHeadReadBackIsThePublishedOne();
        assertThat(t.versionStore().head(OBJ).currentVersionId()).isEqualTo("v2");
        t.send(Facts.remove(B, K, "v1", "32", at(6))); // not the newest: the newest's counts move
        assertHeadReadBackIsThePublishedOne();
        assertThat(t.versionStore().head(OBJ).versionCount()).isEqualTo(2);
        t.send(Facts.remove(B, K, "v2", "33", at(7)), Facts.remove(B, K, "v0", "34", at(8)));
        assertHeadReadBackIsThePublishedOne();
        assertThat(t.versionStore().head(OBJ)).isNull();
        try (var it = t.rawObjects().all()) {
            assertThat(it.hasNext()).as("no per-object record without parked items or links").isFalse();
        }
    }

    @Test
    void theObjectsStoreHoldsParkedCountsOnlyWhileSomethingIsParked() {
        t.send(Facts.transition(B, K, "v1", "GLACIER", at(1)));
        assertThat(StateCodec.decodeObjectCounts(t.rawObjects().get(OBJ))).containsExactly(1, 0);
        t.send(Facts.put(B, K, "v1", "10", at(0)));
        assertThat(t.rawObjects().get(OBJ)).isNull();
        assertHeadReadBackIsThePublishedOne();
        assertThat(t.versionStore().head(OBJ).storageClass()).isEqualTo("GLACIER");
    }
}
