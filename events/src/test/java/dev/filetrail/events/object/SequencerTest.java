package dev.filetrail.events.object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class SequencerTest {

    @Test
    void shorterSequencerIsRightPaddedWithZeros() {
        // AWS's own example: 0055AED6DCD90281E5 sorts after 0055AED6DCD9028 padded -> ...028000
        assertThat(Sequencer.compare("0055AED6DCD90281E5", "0055AED6DCD9028")).isPositive();
        assertThat(Sequencer.compare("0055AED6DCD90280", "0055AED6DCD9028")).isZero();
        assertThat(Sequencer.compare("0055AED6DCD9027F", "0055AED6DCD9028")).isNegative();
    }

    @Test
    void caseDoesNotChangeOrder() {
        assertThat(Sequencer.compare("00ab", "00AB")).isZero();
    }

    @Test
    void missingSequencerSortsFirst() {
        assertThat(Sequencer.compare(null, "00")).isNegative();
        assertThat(Sequencer.compare("00", null)).isPositive();
        assertThat(Sequencer.compare(null, null)).isZero();
    }

    @Test
    void sortableRejectsOverlongSequencers() {
        assertThatThrownBy(() -> Sequencer.sortable("1".repeat(33))).isInstanceOf(IllegalArgumentException.class);
    }

    @Property
    void sortableFormOrdersLikeCompare(@ForAll @StringLength(min = 1, max = 20) @CharRange(from = '0', to = '9') @CharRange(from = 'A', to = 'F') String a,
                                       @ForAll @StringLength(min = 1, max = 20) @CharRange(from = '0', to = '9') @CharRange(from = 'A', to = 'F') String b) {
        assertThat(Integer.signum(Sequencer.sortable(a).compareTo(Sequencer.sortable(b))))
                .isEqualTo(Integer.signum(Sequencer.compare(a, b)));
    }

    @Property
    void compareIsAntisymmetric(@ForAll @StringLength(min = 1, max = 20) @CharRange(from = '0', to = '9') @CharRange(from = 'a', to = 'f') String a,
                                @ForAll @StringLength(min = 1, max = 20) @CharRange(from = '0', to = '9') @CharRange(from = 'a', to = 'f') String b) {
        assertThat(Integer.signum(Sequencer.compare(a, b))).isEqualTo(-Integer.signum(Sequencer.compare(b, a)));
    }
}
