package dev.filetrail.events.object;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventIdsTest {
    private static final Instant T = Instant.parse("2026-11-26T10:00:00Z");

    @Test
    void sameFactGivesSameId() {
        assertThat(EventIds.objectEventId("b", "k", "v1", "00AA", "ObjectCreated:Put", T))
                .isEqualTo(EventIds.objectEventId("b", "k", "v1", "00AA", "ObjectCreated:Put", T.plusSeconds(5)));
    }

    @Test
    void eachPartChangesTheId() {
        String base = EventIds.objectEventId("b", "k", "v1", "00AA", "ObjectCreated:Put", T);
        assertThat(EventIds.objectEventId("b2", "k", "v1", "00AA", "ObjectCreated:Put", T)).isNotEqualTo(base);
        assertThat(EventIds.objectEventId("b", "k2", "v1", "00AA", "ObjectCreated:Put", T)).isNotEqualTo(base);
        assertThat(EventIds.objectEventId("b", "k", "v2", "00AA", "ObjectCreated:Put", T)).isNotEqualTo(base);
        assertThat(EventIds.objectEventId("b", "k", "v1", "00AB", "ObjectCreated:Put", T)).isNotEqualTo(base);
        assertThat(EventIds.objectEventId("b", "k", "v1", "00AA", "ObjectCreated:Copy", T)).isNotEqualTo(base);
    }

    @Test
    void partsCannotBleedIntoEachOther() {
        assertThat(EventIds.sha256Hex("ab", "c")).isNotEqualTo(EventIds.sha256Hex("a", "bc"));
    }

    @Test
    void eventsWithoutSequencerAreTellApartByTime() {
        assertThat(EventIds.objectEventId("b", "k", "v1", null, "ObjectTagging:Put", T))
                .isNotEqualTo(EventIds.objectEventId("b", "k", "v1", null, "ObjectTagging:Put", T.plusSeconds(1)));
    }
}
