package dev.filetrail.events.object;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class HistoryOrderTest {

    @Property(tries = 1000)
    void sequencedVersionsOrderAsTheirSequencers(@ForAll("hex") @StringLength(min = 1, max = 20) String a,
                                                 @ForAll("hex") @StringLength(min = 1, max = 20) String b) {
        int expected = Integer.signum(Sequencer.compare(a, b));
        assertThat(Integer.signum(HistoryOrder.key(a, Instant.EPOCH).compareTo(HistoryOrder.key(b, Instant.MAX))))
                .isEqualTo(expected);
    }

    @Provide
    Arbitrary<String> hex() {
        return Arbitraries.strings().withChars("0123456789ABCDEFabcdef");
    }

    @Property(tries = 1000)
    void unsequencedVersionsOrderByCreationTime(@ForAll @LongRange(min = 0, max = 253402300799L) long a,
                                                @ForAll @LongRange(min = 0, max = 253402300799L) long b) {
        Instant first = Instant.ofEpochSecond(a, 123_456_000);
        Instant second = Instant.ofEpochSecond(b);
        assertThat(Integer.signum(HistoryOrder.key(null, first).compareTo(HistoryOrder.key(null, second))))
                .isEqualTo(Integer.signum(first.compareTo(second)));
    }

    @Test
    void unsequencedVersionsComeBeforeSequencedOnes() {
        String backfilled = HistoryOrder.key(null, Instant.parse("9999-12-31T23:59:59.999999Z"));
        assertThat(backfilled).hasSize(Sequencer.SORTABLE_WIDTH + 20).isLessThan(HistoryOrder.key("1", Instant.EPOCH));
        assertThat(HistoryOrder.key(null, null)).isEqualTo(HistoryOrder.key(null, Instant.parse("1960-01-01T00:00:00Z")));
    }
}
