package dev.topics.webhook;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * SPEC §10: webhook URLs that reach loopback, link-local or private addresses are refused
 * unless {@code webhooks.allow_private}. Checked on the resolved addresses, when a
 * webhook is made or changed and again before every delivery (a name may resolve
 * elsewhere later); deliveries never follow redirects.
 */
final class Addresses {
    /** A destination refused as private, or a URL that is not http(s) with a host. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private final boolean allowPrivate;

    Addresses(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    boolean allowPrivate() {
        return allowPrivate;
    }

    void check(URI url) throws Refused {
        if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
            throw new Refused("the URL must be http or https with a host");
        }
        if (allowPrivate) {
            return;
        }
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(url.getHost());
        } catch (UnknownHostException e) {
            throw new Refused("cannot resolve " + url.getHost());
        }
        for (InetAddress a : all) {
            if (isPrivate(a)) {
                throw new Refused(url.getHost() + " resolves to " + a.getHostAddress()
                        + ", a loopback, link-local or private address (webhooks.allow_private is off)");
            }
        }
    }

    static boolean isPrivate(InetAddress a) {
        if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) {
            return (b[0] & 0xFE) == 0xFC; // fc00::/7, unique local
        }
        int first = b[0] & 0xFF;
        int second = b[1] & 0xFF;
        return first == 0 || (first == 100 && second >= 64 && second < 128) // 0/8, carrier-grade NAT 100.64/10
                || (first == 192 && second == 0 && (b[2] & 0xFF) == 0); // 192.0.0/24
    }
}
