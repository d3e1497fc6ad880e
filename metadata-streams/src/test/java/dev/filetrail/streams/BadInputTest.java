package dev.filetrail.streams;

import static dev.filetrail.streams.Facts.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.object.ObjectEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BadInputTest {
    @Test
    void badRecordsAreCountedAndSkippedAndProcessingGoesOn() {
        try (TopologyFixture t = new TopologyFixture()) {
            t.sendRaw(Topics.OBJECT_EVENTS, "b/k", "{not json".getBytes(StandardCharsets.UTF_8));
            ObjectEvent put = Facts.put("b", "k", "v1", "01", at(1));
            // Keyed by something other than bucket/key: would break co-partitioning, so it is refused.
            t.sendRaw(Topics.OBJECT_EVENTS, "wrong-key", Json.write(put));
            ObjectEvent badSequencer = Facts.put("b", "k", "v2", "XYZ", at(2));
            t.send(badSequencer);
            t.sendRaw(Topics.SHARE_COMMANDS, "b/k", "{\"type\":\"CREATE\",\"bucket\":\"b\",\"key\":\"k\"}"
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(t.changes()).isEmpty();
            assertThat(t.metrics().count("object-events", "rejected")).isEqualTo(3);
            assertThat(t.metrics().count("share-commands", "rejected")).isEqualTo(1);

            t.send(put);
            assertThat(t.changes()).singleElement().satisfies(c -> assertThat(c.versionId()).isEqualTo("v1"));
            assertThat(t.metrics().count("object-events", "applied")).isEqualTo(1);
        }
    }
}
