package dev.topics.access;

import dev.topics.http.ApiError;
import io.helidon.webserver.http.ServerRequest;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The limits on failed authentications: past {@code auth.failures_per_minute} in a minute
 * from one client address (IPv6: one /64), or {@code auth.failures_per_minute_total} from
 * all addresses together, a failed attempt is 429 {@code too_many_failures} instead of 401
 * until the minute is over. Only failures are ever counted or refused: tokens are 192
 * random bits, so the throttle guards against noise and cost, not guessing, and must not
 * let anyone lock out a valid credential (see docs/DECISIONS.md, "HTTP hardening").
 */
final class FailureThrottle {
    private final int failuresPerMinute;
    private final int failuresPerMinuteTotal;
    /** Per throttle key (address or IPv6 /64): {window start ms, failures in it}. */
    private final ConcurrentHashMap<String, long[]> failures = new ConcurrentHashMap<>();
    /** Over all addresses: {window start ms, failures in it}; guarded by itself. */
    private final long[] allFailures = {0, 0};

    FailureThrottle(int failuresPerMinute, int failuresPerMinuteTotal) {
        this.failuresPerMinute = failuresPerMinute;
        this.failuresPerMinuteTotal = failuresPerMinuteTotal;
    }

    /**
     * The throttle's key for the client: its IPv4 address, or the /64 of an IPv6 address
     * (one host usually has a whole /64 to pick source addresses from).
     */
    static String address(ServerRequest req) {
        if (!(req.remotePeer().address() instanceof InetSocketAddress a) || a.getAddress() == null) {
            return String.valueOf(req.remotePeer().address());
        }
        if (a.getAddress() instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            return HexFormat.of().formatHex(b, 0, 8).replaceAll("(.{4})(?!$)", "$1:") + "::/64";
        }
        return a.getAddress().getHostAddress();
    }

    /**
     * Counts a failed authentication from {@code address}: 401 saying {@code why}, or 429
     * once the address (or all addresses together) failed too often this minute.
     */
    ApiError failed(String address, String why) {
        long now = System.currentTimeMillis();
        long total;
        long totalSince;
        synchronized (allFailures) {
            if (now - allFailures[0] >= 60_000) {
                allFailures[0] = now;
                allFailures[1] = 0;
            }
            total = ++allFailures[1];
            totalSince = allFailures[0];
        }
        if (total > failuresPerMinuteTotal) {
            // no per-address entry past the global budget: the map stays bounded however many addresses try
            return tooManyFailures("on this server", now - totalSince);
        }
        if (failures.size() > 10_000) {
            failures.values().removeIf(w -> now - w[0] >= 60_000);
        }
        long[] w = failures.computeIfAbsent(address, k -> new long[] {now, 0});
        long n;
        long since;
        synchronized (w) {
            if (now - w[0] >= 60_000) {
                w[0] = now;
                w[1] = 0;
            }
            n = ++w[1];
            since = w[0];
        }
        if (n > failuresPerMinute) {
            return tooManyFailures("from " + address, now - since);
        }
        return new ApiError(401, "unauthorized", why);
    }

    private static ApiError tooManyFailures(String where, long windowAgeMs) {
        long wait = Math.max(1, (60_000 - windowAgeMs + 999) / 1000);
        return new ApiError(429, "too_many_failures", "too many failed authentications " + where
                + "; try again in " + wait + " s (valid credentials are still accepted)");
    }
}
