package dev.topics.worker;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter, as routers (SPEC §9) and webhooks (SPEC §10) retry:
 * {@code firstMs} after the first failure, doubled after each further one up to
 * {@code maxMs}, each wait spread by up to {@code ±jitter} of itself so that many workers
 * failing together do not retry together.
 *
 * @param firstMs the wait after the first failure
 * @param maxMs   the longest wait
 * @param jitter  the spread, a fraction of the wait (0.2: ±20 %)
 */
public record Backoff(long firstMs, long maxMs, double jitter) {
    public Backoff {
        if (firstMs <= 0 || maxMs < firstMs || jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("backoff " + firstMs + ".." + maxMs + " ms, jitter " + jitter);
        }
    }

    /** The wait after failure number {@code failures} (1 for the first), jitter included. */
    public long delayMs(int failures) {
        long base = Math.min(maxMs, firstMs << Math.min(20, Math.max(0, failures - 1)));
        long spread = (long) (base * jitter);
        return base - spread + ThreadLocalRandom.current().nextLong(2 * spread + 1);
    }
}
