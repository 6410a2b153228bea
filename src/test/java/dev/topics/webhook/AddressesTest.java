package dev.topics.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §10 / DECISIONS "Webhooks": which destinations {@link Addresses} refuses.
 * {@code isPrivate} over a table of literal IPv4 and IPv6 addresses (no DNS involved), and
 * {@code check} on URLs: only http(s) with a host, private destinations refused unless
 * allowed, public literals accepted.
 */
class AddressesTest {

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: parsed, never looked up
        } catch (UnknownHostException e) {
            throw new AssertionError("not an address literal: " + literal, e);
        }
    }

    @ParameterizedTest(name = "{0} private = {1}")
    @CsvSource({
            // loopback
            "127.0.0.1, true",
            "127.255.255.254, true",
            "::1, true",
            // unspecified ("this host")
            "0.0.0.0, true",
            "0.1.2.3, true",
            "::, true",
            // RFC 1918 private ranges and their edges
            "10.0.0.0, true",
            "10.1.2.3, true",
            "10.255.255.255, true",
            "172.16.0.0, true",
            "172.20.1.1, true",
            "172.31.255.255, true",
            "192.168.0.0, true",
            "192.168.1.1, true",
            "192.168.255.255, true",
            // link-local (IPv4 includes the cloud metadata address)
            "169.254.0.1, true",
            "169.254.169.254, true",
            "fe80::1, true",
            "fe80::1234:5678:9abc:def0, true",
            // carrier-grade NAT 100.64/10 and its edges
            "100.64.0.0, true",
            "100.100.100.100, true",
            "100.127.255.255, true",
            // IETF protocol assignments 192.0.0/24
            "192.0.0.8, true",
            // unique local fc00::/7, and the old site-local fec0::/10
            "fc00::1, true",
            "fd12:3456:789a::1, true",
            "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, true",
            "fec0::1, true",
            // multicast
            "224.0.0.1, true",
            "239.255.255.250, true",
            "ff02::1, true",
            // IPv4-mapped IPv6 of private addresses
            "::ffff:127.0.0.1, true",
            "::ffff:10.0.0.1, true",
            "::ffff:192.168.1.1, true",
            // public addresses, also just outside the private ranges
            "8.8.8.8, false",
            "1.1.1.1, false",
            "93.184.216.34, false",
            "9.255.255.255, false",
            "11.0.0.0, false",
            "172.15.255.255, false",
            "172.32.0.0, false",
            "192.167.255.255, false",
            "192.169.0.0, false",
            "169.253.255.255, false",
            "169.255.0.0, false",
            "100.63.255.255, false",
            "100.128.0.0, false",
            "126.255.255.255, false",
            "128.0.0.1, false",
            "192.0.1.1, false",
            "2001:4860::8888, false",
            "2001:4860:4860::8888, false",
            "2606:4700:4700::1111, false",
            "2a00:1450:4001:80b::200e, false",
            "fbff:ffff::1, false",
            "fe00::1, false",
            "::ffff:8.8.8.8, false",
    })
    void isPrivateTable(String literal, boolean expected) {
        assertThat(Addresses.isPrivate(ip(literal))).as("isPrivate(%s)", literal).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://8.8.8.8/x", "file:///etc/passwd", "gopher://8.8.8.8/", "ws://8.8.8.8/socket",
            "mailto:ops@example.com", "javascript:alert(1)", "/relative/path", "8.8.8.8/hook", "http:///no-host",
            "http:/8.8.8.8/one-slash"})
    void checkRefusesWhatIsNotHttpWithAHostEvenWhenPrivateIsAllowed(String url) {
        for (boolean allowPrivate : new boolean[] {true, false}) {
            assertThatThrownBy(() -> new Addresses(allowPrivate).check(URI.create(url)))
                    .as("check(%s), allow_private %s", url, allowPrivate)
                    .isInstanceOf(Addresses.Refused.class)
                    .hasMessageContaining("http");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1/hook", "http://127.0.0.1:8080/hook", "https://127.1.2.3/",
            "http://localhost/hook", "http://LOCALHOST:9/", "http://10.0.0.5/x", "http://192.168.1.1/x",
            "http://172.16.5.4/x", "http://169.254.169.254/latest/meta-data/", "http://100.64.1.1/x",
            "http://[::1]/x", "http://[::1]:4000/x", "http://[fc00::1]/x", "http://[fd00::abcd]/x", "http://[fe80::1]/x",
            "http://0.0.0.0:80/", "http://[::]/", "http://[::ffff:127.0.0.1]/x", "http://2130706433/decimal-loopback"})
    void checkRefusesPrivateDestinationsUnlessAllowed(String url) {
        assertThatThrownBy(() -> new Addresses(false).check(URI.create(url)))
                .as("check(%s) with allow_private false", url)
                .isInstanceOf(Addresses.Refused.class);
        assertThatCode(() -> new Addresses(true).check(URI.create(url)))
                .as("check(%s) with allow_private true", url)
                .doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://8.8.8.8/hook", "https://8.8.8.8/hook", "https://1.1.1.1:8443/a/b?c=d",
            "http://93.184.216.34/", "http://[2001:4860::8888]/hook", "https://[2606:4700:4700::1111]:443/x"})
    void checkAcceptsPublicAddresses(String url) {
        for (boolean allowPrivate : new boolean[] {true, false}) {
            assertThatCode(() -> new Addresses(allowPrivate).check(URI.create(url)))
                    .as("check(%s), allow_private %s", url, allowPrivate)
                    .doesNotThrowAnyException();
        }
    }

    @org.junit.jupiter.api.Test
    void aRefusalNamesTheAddress() {
        assertThatThrownBy(() -> new Addresses(false).check(URI.create("http://10.9.8.7/x")))
                .isInstanceOf(Addresses.Refused.class)
                .hasMessageContaining("10.9.8.7");
    }

    @org.junit.jupiter.api.Test
    void aNameThatDoesNotResolveIsRefusedWhenPrivateIsNotAllowed() {
        // it cannot be shown to be public; with allow_private on, no lookup is needed
        assertThatThrownBy(() -> new Addresses(false).check(URI.create("http://no-such-host.invalid/x")))
                .isInstanceOf(Addresses.Refused.class);
        assertThatCode(() -> new Addresses(true).check(URI.create("http://no-such-host.invalid/x")))
                .doesNotThrowAnyException();
    }
}
