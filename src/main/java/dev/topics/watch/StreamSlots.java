package dev.topics.watch;

import dev.topics.access.Caller;
import dev.topics.http.ApiError;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open streams per principal ({@code http.max_streams_per_principal}), watch streams and
 * Durable Streams SSE responses alike: one caller cannot
 * hold every connection the server has. A stream counts against whoever it acts as — the
 * principal (the admin, and everyone in dev mode, is {@code admin}), else the share token,
 * else all anonymous callers together. One more is 429 {@code too_many_streams}.
 *
 * <p>Thread safety: any thread; counts are per-key atomics, and a key whose count drops to
 * zero is removed.
 */
public final class StreamSlots {
    private final int max;
    private final ConcurrentHashMap<String, AtomicInteger> open = new ConcurrentHashMap<>();

    StreamSlots(int max) {
        this.max = max;
    }

    /** Who a stream of this caller counts against. */
    public static String key(Caller c) {
        if (c.principal() != null) {
            return "principal " + c.principal();
        }
        return c.share() != null ? "share token " + c.share().id() : "anonymous callers";
    }

    /**
     * Takes a slot for {@code key}, or throws 429. A takeover (a second GET on a session,
     * whose older stream is ending) may pass the limit by the one stream it replaces.
     */
    public void acquire(String key, boolean takeover) {
        boolean[] refused = {false};
        open.compute(key, (k, n) -> {
            AtomicInteger count = n == null ? new AtomicInteger() : n;
            if (count.get() >= max && !takeover) {
                refused[0] = true;
            } else {
                count.incrementAndGet();
            }
            return count.get() == 0 ? null : count;
        });
        if (refused[0]) {
            throw new ApiError(429, "too_many_streams", "the " + key + " already has " + max
                    + " streams open, the most allowed (http.max_streams_per_principal); close one first");
        }
    }

    public void release(String key) {
        open.computeIfPresent(key, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }
}
