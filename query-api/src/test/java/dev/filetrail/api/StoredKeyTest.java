package dev.filetrail.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class StoredKeyTest {

    @Provide
    Arbitrary<String> keys() {
        return S3Keys.keys();
    }

    @Provide
    Arbitrary<List<String>> pairs() {
        return S3Keys.relatedPairs();
    }

    @Property(tries = 2000)
    void roundTripsAndHoldsNoNul(@ForAll("keys") String key) {
        String stored = StoredKey.toColumn(key);
        assertThat(stored).doesNotContain("\u0000");
        assertThat(StoredKey.fromColumn(stored)).isEqualTo(key);
    }

    @Property(tries = 2000)
    void keepsByteOrderAndPrefixes(@ForAll("pairs") List<String> pair) {
        String a = pair.get(0);
        String b = pair.get(1);
        String sa = StoredKey.toColumn(a);
        String sb = StoredKey.toColumn(b);
        assertThat(Integer.signum(S3Keys.compareUtf8(sa, sb))).as("order of %s / %s", a, b)
                .isEqualTo(Integer.signum(S3Keys.compareUtf8(a, b)));
        assertThat(sb.startsWith(sa)).as("prefix %s of %s", a, b).isEqualTo(b.startsWith(a));
        assertThat(sa.equals(sb)).isEqualTo(a.equals(b));
    }

    @Test
    void escapesOnlyNulAndTheEscape() {
        assertThat(StoredKey.toColumn("a/b c+d%e?.txt")).isEqualTo("a/b c+d%e?.txt");
        assertThat(StoredKey.toColumn("a\u0000b")).isEqualTo("a\u0001\u0001b");
        assertThat(StoredKey.toColumn("a\u0001b")).isEqualTo("a\u0001\u0002b");
        // The three that could collide, in their order: NUL < U+0001 < U+0002.
        assertThat(List.of(StoredKey.toColumn("\u0000"), StoredKey.toColumn("\u0001"), StoredKey.toColumn("\u0002")))
                .isSorted().doesNotHaveDuplicates();
        assertThat(StoredKey.toColumn(null)).isNull();
        assertThat(StoredKey.fromColumn(null)).isNull();
    }

    @Test
    void refusesStoredFormsNoKeyProduces() {
        assertThatThrownBy(() -> StoredKey.fromColumn("a\u0001")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StoredKey.fromColumn("a\u0001x")).isInstanceOf(IllegalArgumentException.class);
    }
}
