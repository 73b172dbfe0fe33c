package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which client addresses share the budget of bytes before a hello ({@link SocketSessions#addressKey}). */
class SocketSessionsAddressKeyTest {

    @Test
    void shouldCountAnIpv4AddressOnItsOwn() {
        assertThat(SocketSessions.addressKey("192.0.2.7")).isEqualTo("192.0.2.7");
        assertThat(SocketSessions.addressKey("192.0.2.8")).isNotEqualTo(SocketSessions.addressKey("192.0.2.7"));
    }

    @Test
    void shouldCountEveryIpv6AddressOfOneSlash64Together() {
        String key = SocketSessions.addressKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd");
        assertThat(SocketSessions.addressKey("2001:db8:1:2::1")).isEqualTo(key);
        assertThat(SocketSessions.addressKey("2001:0db8:0001:0002:ffff:ffff:ffff:ffff")).isEqualTo(key);
        assertThat(SocketSessions.addressKey("2001:db8:1:3::1")).isNotEqualTo(key);
    }

    @Test
    void shouldCountAClientWithoutAKnownAddressUnderOneKey() {
        assertThat(SocketSessions.addressKey(null)).isEqualTo("");
    }
}
