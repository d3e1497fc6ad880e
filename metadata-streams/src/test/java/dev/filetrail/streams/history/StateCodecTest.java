package dev.filetrail.streams.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.events.history.FileVersion;
import dev.filetrail.events.processing.ExifData;
import dev.filetrail.events.processing.Thumbnail;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StateCodecTest {
    private static final Instant T = Instant.parse("2025-03-01T10:00:01.123456789Z");

    @Test
    void everyVersionFieldRoundTripsAndAbsentOnesStayAbsent() {
        FileVersion full = new FileVersion("b", "a/ü é.txt", "v1", "0A1", false, 1L << 40, "etag", "GLACIER", T,
                "AWS:ME", "evt", new FileVersion.Restore("COMPLETED", T.plusSeconds(5), "STANDARD", T.minusSeconds(3)),
                T.plusMillis(7), new FileVersion.Derivatives("image/jpeg", 640, 480, "abc",
                new ExifData(T, "Canon", "EOS", 1, 1.5, -2.25),
                List.of(new Thumbnail(256, 256, 192, "image/jpeg", "d", "t/256.jpg", 999)), "x: failed"));
        FileVersion marker = new FileVersion("b", "k", "m1", null, true, null, null, null, Instant.EPOCH.minusNanos(1),
                null, null, null, null, null);
        FileVersion partialRestore = marker.withRestore(new FileVersion.Restore(null, null, "GLACIER", null));
        FileVersion tagged = full.withTags(java.util.Map.of("team", "blue", "k é", ""), T.plusSeconds(9));
        FileVersion pending = full.withTags(null, T.plusSeconds(9));
        FileVersion untagged = marker.withTags(java.util.Map.of(), T);
        for (StoredVersion v : List.of(new StoredVersion(full, T.plusSeconds(60)), new StoredVersion(marker, null),
                new StoredVersion(partialRestore, Instant.MAX), new StoredVersion(tagged, null),
                new StoredVersion(pending, T), new StoredVersion(untagged, null))) {
            FileVersion in = v.version();
            String order = VersionStore.order(in.sequencer(), in.createdAt());
            byte[] bytes = StateCodec.encodeVersion(v, order);
            assertThat(StateCodec.decodeVersion(in.bucket(), in.key(), in.versionId(), order, bytes)).isEqualTo(v);
        }
        assertThat(StateCodec.encodeVersion(new StoredVersion(marker, null), VersionStore.order(null, T)).length)
                .isLessThan(12);
    }

    @Test
    void countsRoundTripInTheNewestEntryAndInTheObjectsValue() {
        Random random = new Random(7);
        FileVersion v = new FileVersion("b", "k", "v1", "0A1", false, 5L, "e", "STANDARD", T, null, null, null,
                null, null);
        String order = VersionStore.order("0A1", T);
        StoredVersion stored = new StoredVersion(v, null, "ObjectCreated:Put");
        assertThat(StateCodec.countsOf(StateCodec.encodeVersion(stored, order))).isNull();
        for (int i = 0; i < 500; i++) {
            long versions = i % 50 == 0 ? Long.MAX_VALUE : random.nextInt(1_000_000);
            long markers = i % 70 == 0 ? -1 : random.nextInt(3);
            byte[] bytes = StateCodec.encodeVersion(stored, order, new long[] {versions, markers});
            assertThat(StateCodec.countsOf(bytes)).containsExactly(versions, markers);
            assertThat(StateCodec.decodeVersion("b", "k", "v1", order, bytes)).isEqualTo(stored);
            int parked = random.nextInt(1_000);
            int links = i % 9 == 0 ? Integer.MAX_VALUE : random.nextInt(4);
            assertThat(StateCodec.decodeObjectCounts(StateCodec.encodeObjectCounts(parked, links)))
                    .containsExactly(parked, links);
        }
    }

    @Test
    void valueOfAnotherLayoutIsRefusedNotMisread() {
        byte[] json = "{\"version\":{}}".getBytes();
        assertThatThrownBy(() -> StateCodec.decodeVersion("b", "k", "v", VersionStore.order(null, T), json))
                .hasMessageContaining("new application id");
        assertThatThrownBy(() -> StateCodec.decodeObjectCounts(json)).hasMessageContaining("format");
    }

    @Test
    void boundaryValuesRoundTrip() {
        List<String> strings = List.of("", "a", "0", "abc", "ABC", "aBc", "0123456789abcdef", "0123456789ABCDEF",
                "\"d41d8cd98f00b204e9800998ecf8427e\"", "d41d8cd98f00b204e9800998ecf8427e-12", "ü\u0000x", "g",
                "f".repeat(1001));
        List<String> sequencers = java.util.Arrays.asList(null, "0", "00", "0A1", "0a1", "0aB1", "FFFFFFFFFFFFFFFF",
                "00000000000000000000000000000001", "f".repeat(32), "0123456789abcdef01");
        List<Instant> instants = java.util.Arrays.asList(null, Instant.EPOCH, Instant.EPOCH.minusMillis(1),
                Instant.EPOCH.minusNanos(1), Instant.MAX, Instant.MIN, T, T.plusNanos(1_000), Instant.ofEpochMilli(1),
                Instant.ofEpochSecond((1L << 52) - 1), Instant.ofEpochSecond(1L << 52));
        List<String> classes = java.util.Arrays.asList(null, "STANDARD", "EXPRESS_ONEZONE", "GLACIER_IR",
                "SOME_FUTURE_CLASS", "");
        for (int i = 0; i < 400; i++) {
            String text = strings.get(i % strings.size());
            String sequencer = sequencers.get(i % sequencers.size());
            Instant at = instants.get(i % instants.size());
            Instant created = instants.get((i / 3) % instants.size());
            String storageClass = classes.get(i % classes.size());
            Long size = i % 5 == 0 ? null : i % 5 == 1 ? Long.MAX_VALUE : i % 5 == 2 ? Long.MIN_VALUE : (long) i;
            FileVersion v = new FileVersion("b", "k", "v" + i, sequencer, i % 7 == 0, size, text, storageClass,
                    created, text, strings.get((i + 3) % strings.size()),
                    i % 4 == 0 ? new FileVersion.Restore(text, at, storageClass, at) : null, at, null);
            StoredVersion stored = new StoredVersion(v, at);
            // Stored under the order its sequencer and time give, or (a backfilled "null" entry replaced by a
            // sequenced one keeps no such tie) under another order: the sequencer must then be written out.
            for (String order : List.of(VersionStore.order(sequencer, created), VersionStore.order("7", T))) {
                byte[] bytes = StateCodec.encodeVersion(stored, order);
                assertThat(StateCodec.decodeVersion("b", "k", "v" + i, order, bytes)).as("case %d", i)
                        .isEqualTo(stored);
            }
        }
    }

    @Test
    void hexIsPackedAndTheSequencerIsNotRepeated() {
        String eventId = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        FileVersion v = new FileVersion("b", "k", "v1", "0055AB96C0D4A1B2C3", false, 1234L,
                "d41d8cd98f00b204e9800998ecf8427e", "STANDARD", T.truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
                null, eventId, null, null, null);
        String order = VersionStore.order(v.sequencer(), v.createdAt());
        byte[] bytes = StateCodec.encodeVersion(new StoredVersion(v, null), order);
        // format 1 + mask 2 + sequencer 1 + size 2 + ETag 2+16 + class 1 + time 6 + event id 2+32 (format 1: 139)
        assertThat(bytes.length).isEqualTo(65);
        assertThat(StateCodec.decodeVersion("b", "k", "v1", order, bytes).version()).isEqualTo(v);

        // The id the ingest side gives this creation is recomputed from the event name: 33 bytes fewer.
        String name = "ObjectCreated:CompleteMultipartUpload";
        FileVersion ingested = new FileVersion("b", "k", "v1", v.sequencer(), false, 1234L, v.eTag(), "STANDARD",
                v.createdAt(), null, dev.filetrail.events.object.EventIds.objectEventId("b", "k", "v1", v.sequencer(),
                name, v.createdAt()), null, null, null);
        byte[] derived = StateCodec.encodeVersion(new StoredVersion(ingested, null, name), order);
        assertThat(derived.length).isEqualTo(32);
        assertThat(StateCodec.decodeVersion("b", "k", "v1", order, derived))
                .isEqualTo(new StoredVersion(ingested, null, name));
    }

    @Test
    void eventIdsAreDerivedWhereTheIngestSideWouldMakeThemAndWrittenOtherwise() {
        List<String> names = java.util.Arrays.asList("ObjectCreated:Put", "ObjectCreated:Copy",
                "ObjectRemoved:DeleteMarkerCreated", "SomeFutureEvent:Name", "", "ü");
        Random random = new Random(5);
        for (int i = 0; i < 600; i++) {
            String name = names.get(i % names.size());
            String sequencer = i % 3 == 0 ? null : Long.toHexString(random.nextLong() >>> 4).toUpperCase();
            Instant created = i % 11 == 0 ? null : T.plusMillis(random.nextInt(1_000_000));
            String versionId = i % 5 == 0 ? "null" : "v" + i;
            // How the id came about: the event's own versionId or none, its eventTime or none, or another id.
            String rawVersionId = i % 5 == 0 && i % 2 == 0 ? null : versionId;
            Instant eventTime = i % 7 == 0 ? null : created;
            String id = i % 13 == 0 ? "e" + i : i % 17 == 0 ? null : dev.filetrail.events.object.EventIds
                    .objectEventId("bk", "a/k", rawVersionId, sequencer, name, eventTime);
            FileVersion v = new FileVersion("bk", "a/k", versionId, sequencer, false, 1L, null, null, created,
                    null, id, null, null, null);
            String order = VersionStore.order(sequencer, created);
            for (String stored : java.util.Arrays.asList(name, null, "ObjectCreated:Post")) {
                StoredVersion in = new StoredVersion(v, null, stored);
                assertThat(StateCodec.decodeVersion("bk", "a/k", versionId, order,
                        StateCodec.encodeVersion(in, order))).as("case %d, name %s", i, stored).isEqualTo(in);
            }
        }
    }

    @Test
    void packedOrdersSortAsTheOrdersDoAndUnpackToThem() {
        Random random = new Random(11);
        List<String> orders = new java.util.ArrayList<>();
        orders.add(dev.filetrail.events.object.HistoryOrder.key("0", null));
        orders.add(dev.filetrail.events.object.HistoryOrder.key(null, Instant.EPOCH));
        orders.add(dev.filetrail.events.object.HistoryOrder.key(null, Instant.parse("9999-12-31T23:59:59Z")));
        orders.add(dev.filetrail.events.object.HistoryOrder.key("F".repeat(32), null));
        for (int i = 0; i < 2000; i++) {
            String sequencer = random.nextInt(4) == 0 ? null
                    : Long.toHexString(random.nextLong() >>> random.nextInt(60)) + (random.nextBoolean() ? "0" : "");
            orders.add(dev.filetrail.events.object.HistoryOrder.key(sequencer,
                    Instant.ofEpochMilli(Math.abs(random.nextLong() % 4_000_000_000_000L))));
        }
        for (String a : orders) {
            String packed = StoreKeys.packOrder(a);
            assertThat(packed).hasSizeLessThan(a.length()).doesNotContain("\u0000", "\u0001");
            assertThat(StoreKeys.unpackOrder(packed)).isEqualTo(a);
        }
        for (int i = 0; i < 20_000; i++) {
            String a = orders.get(random.nextInt(orders.size()));
            String b = orders.get(random.nextInt(orders.size()));
            // Compared as they sit in a versions key (the order is followed by the separator and the versionId).
            assertThat(Integer.signum(StoreKeys.version("o", StoreKeys.packOrder(a), "v")
                    .compareTo(StoreKeys.version("o", StoreKeys.packOrder(b), "v"))))
                    .as("%s vs %s", a, b).isEqualTo(Integer.signum(StoreKeys.version("o", a, "v")
                            .compareTo(StoreKeys.version("o", b, "v"))));
        }
    }

    @Test
    void formatOneValuesAndUnknownCodesAreRefused() {
        // What format 1 wrote for a delete marker (format byte 1, mask 2 as a zig-zag varint) and for a summary
        // without a head: the same fields, a layout this build no longer reads.
        byte[] formatOneMarker = {1, 4};
        byte[] formatOneSummary = {1, 0, 0, 0, 0};
        assertThatThrownBy(() -> StateCodec.countsOf(formatOneMarker)).hasMessageContaining("format 1, expected 2");
        String order = VersionStore.order(null, T);
        assertThatThrownBy(() -> StateCodec.decodeVersion("b", "k", "v", order, formatOneMarker))
                .hasMessageContaining("format 1, expected 2");
        assertThatThrownBy(() -> StateCodec.decodeObjectCounts(formatOneSummary))
                .hasMessageContaining("format 1, expected 2");
        assertThatThrownBy(() -> StateCodec.decodeVersion("b", "k", "v", order, new byte[0]))
                .hasMessageContaining("format none");
        FileVersion glacier = new FileVersion("b", "k", "v", null, false, 1L, null, "GLACIER", null, null, null,
                null, null, null);
        byte[] bytes = StateCodec.encodeVersion(new StoredVersion(glacier, null), order);
        bytes[bytes.length - 1] = (byte) 200;
        assertThatThrownBy(() -> StateCodec.decodeVersion("b", "k", "v", order, bytes))
                .hasMessageContaining("unknown storage class code 200");
        assertThatThrownBy(() -> StoreKeys.unpackOrder("0A1")).hasMessageContaining("not a packed order key");
        FileVersion named = new FileVersion("b", "k", "v", null, false, null, null, null, null, null, null, null,
                null, null);
        byte[] withName = StateCodec.encodeVersion(new StoredVersion(named, null, "ObjectCreated:Put"), order);
        withName[withName.length - 1] = (byte) (31 << 3 | 4);
        assertThatThrownBy(() -> StateCodec.decodeVersion("b", "k", "v", order, withName))
                .hasMessageContaining("unknown event name code 31");
        withName[withName.length - 1] = (byte) (1 << 3 | 6);
        assertThatThrownBy(() -> StateCodec.decodeVersion("b", "k", "v", order, withName))
                .hasMessageContaining("unknown event id derivation 6");
    }
}
