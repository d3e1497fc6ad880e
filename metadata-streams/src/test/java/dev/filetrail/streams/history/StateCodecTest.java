package dev.filetrail.streams.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.events.history.FileHead;
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
            byte[] bytes = StateCodec.encodeVersion(v);
            FileVersion in = v.version();
            assertThat(StateCodec.decodeVersion(in.bucket(), in.key(), in.versionId(), bytes)).isEqualTo(v);
        }
        assertThat(StateCodec.encodeVersion(new StoredVersion(marker, null)).length).isLessThan(20);
    }

    @Test
    void summariesRoundTripWithAndWithoutHead() {
        Random random = new Random(7);
        for (int i = 0; i < 500; i++) {
            boolean deleted = random.nextBoolean();
            String latest = random.nextInt(5) == 0 ? null : "v" + random.nextInt(100);
            String current = random.nextInt(4) == 0 ? "other" + i : deleted ? null : latest;
            FileHead head = random.nextInt(6) == 0 ? null : new FileHead("bk", "key/" + i, deleted, current,
                    random.nextInt(1_000_000), random.nextInt(3), random.nextBoolean() ? null : random.nextLong(),
                    random.nextBoolean() ? null : "e" + i, random.nextBoolean() ? null : "image/png",
                    random.nextBoolean() ? null : "STANDARD", random.nextBoolean() ? null : T.plusSeconds(i), latest);
            ObjectSummary s = new ObjectSummary(head, random.nextBoolean() ? null : "00F" + i, random.nextInt(4),
                    random.nextInt(4));
            assertThat(StateCodec.decodeSummary("bk", "key/" + i, StateCodec.encodeSummary(s))).isEqualTo(s);
        }
    }

    @Test
    void valueOfAnotherLayoutIsRefusedNotMisread() {
        byte[] json = "{\"version\":{}}".getBytes();
        assertThatThrownBy(() -> StateCodec.decodeVersion("b", "k", "v", json))
                .hasMessageContaining("new application id");
        assertThatThrownBy(() -> StateCodec.decodeSummary("b", "k", json)).hasMessageContaining("format");
    }
}
