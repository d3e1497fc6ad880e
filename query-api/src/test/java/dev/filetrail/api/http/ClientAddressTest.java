package dev.filetrail.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {
    final ClientAddress none = new ClientAddress(List.of());
    final ClientAddress alb = new ClientAddress(List.of("10.0.0.0/24", "10.0.1.0/24", "fd00:1::/64"));

    @Test
    void withoutTrustedProxiesTheHeaderIsNeverBelieved() {
        assertThat(none.resolve("203.0.113.5", "198.51.100.7")).isEqualTo("203.0.113.5");
        assertThat(none.resolve("10.0.0.9", "198.51.100.7")).isEqualTo("10.0.0.9");
    }

    @Test
    void aTrustedProxyIsBelievedForTheAddressItAppended() {
        assertThat(alb.resolve("10.0.0.9", "198.51.100.7")).isEqualTo("198.51.100.7");
        assertThat(alb.resolve("10.0.1.200", " 198.51.100.7 ")).isEqualTo("198.51.100.7");
    }

    @Test
    void whatTheClientWroteToTheLeftOfItsOwnAddressIsIgnored() {
        assertThat(alb.resolve("10.0.0.9", "1.2.3.4, 198.51.100.7")).isEqualTo("198.51.100.7");
        assertThat(alb.resolve("10.0.0.9", "10.0.0.5, 198.51.100.7")).isEqualTo("198.51.100.7");
    }

    @Test
    void chainsOfTrustedProxiesAreWalkedFromTheRight() {
        assertThat(alb.resolve("10.0.0.9", "198.51.100.7, 10.0.1.4, 10.0.0.8")).isEqualTo("198.51.100.7");
        assertThat(alb.resolve("10.0.0.9", "10.0.1.4, 10.0.0.8")).as("all trusted: the farthest").isEqualTo("10.0.1.4");
    }

    @Test
    void anUntrustedPeerIsTheClientWhateverItSays() {
        assertThat(alb.resolve("203.0.113.5", "198.51.100.7")).isEqualTo("203.0.113.5");
        assertThat(alb.resolve("10.0.2.1", "198.51.100.7")).as("outside the /24s").isEqualTo("10.0.2.1");
    }

    @Test
    void garbageAndNamesStopTheWalkAtTheLastVouchedAddress() {
        assertThat(alb.resolve("10.0.0.9", "unknown")).isEqualTo("10.0.0.9");
        assertThat(alb.resolve("10.0.0.9", "evil.example, 10.0.1.4")).isEqualTo("10.0.1.4");
        assertThat(alb.resolve("10.0.0.9", "198.51.100.7, 999.1.1.1")).isEqualTo("10.0.0.9");
        assertThat(alb.resolve("10.0.0.9", "")).isEqualTo("10.0.0.9");
        assertThat(alb.resolve("10.0.0.9", null)).isEqualTo("10.0.0.9");
    }

    @Test
    void portsBracketsAndIpv6AreUnderstood() {
        assertThat(alb.resolve("10.0.0.9", "198.51.100.7:51234")).isEqualTo("198.51.100.7");
        assertThat(alb.resolve("10.0.0.9", "[2001:db8::7]:443")).isEqualTo("2001:db8:0:0:0:0:0:7");
        assertThat(alb.resolve("fd00:1::5", "2001:db8::7")).isEqualTo("2001:db8:0:0:0:0:0:7");
        assertThat(alb.resolve("fd00:2::5", "2001:db8::7")).isEqualTo("fd00:2::5");
        assertThat(alb.resolve("::ffff:10.0.0.9", "198.51.100.7")).as("IPv4-mapped peer").isEqualTo("198.51.100.7");
    }

    @Test
    void badTrustedProxyEntriesAreRefused() {
        assertThatThrownBy(() -> new ClientAddress(List.of("10.0.0.0/40"))).hasMessageContaining("prefix length 0..32");
        assertThatThrownBy(() -> new ClientAddress(List.of("10.0.0.0/x"))).hasMessageContaining("10.0.0.0/x");
        assertThatThrownBy(() -> new ClientAddress(List.of("localhost"))).hasMessageContaining("not an IP address");
        assertThat(new ClientAddress(List.of("0.0.0.0/0")).resolve("192.0.2.1", "198.51.100.7"))
                .as("/0 trusts every IPv4 peer").isEqualTo("198.51.100.7");
    }
}
