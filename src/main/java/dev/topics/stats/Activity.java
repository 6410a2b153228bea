package dev.topics.stats;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live activity per topic (SPEC §12 stats): successful write and read requests in the last
 * minute and hour, and when the last of each happened. In memory (a restart starts them
 * at zero): second buckets for the last minute, minute buckets for the last hour, so a
 * count is exact to the bucket. Cheap enough for every request: one map lookup and one
 * synchronized increment on the topic's own counters.
 */
public final class Activity {
    private final ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();

    /** A snapshot of one topic's activity; times are epoch ms, 0 for never. */
    public record Counts(long writes1m, long writes1h, long reads1m, long reads1h, long lastWriteAt, long lastReadAt) {
        static final Counts NONE = new Counts(0, 0, 0, 0, 0, 0);
    }

    public void wrote(String topic) {
        topics.computeIfAbsent(topic, k -> new Topic()).writes.add(System.currentTimeMillis());
    }

    public void read(String topic) {
        topics.computeIfAbsent(topic, k -> new Topic()).reads.add(System.currentTimeMillis());
    }

    /** The topic was deleted: its activity goes with it. */
    public void forget(String topic) {
        topics.remove(topic);
    }

    public Counts counts(String topic) {
        Topic t = topics.get(topic);
        if (t == null) {
            return Counts.NONE;
        }
        long now = System.currentTimeMillis();
        return new Counts(t.writes.lastMinute(now), t.writes.lastHour(now), t.reads.lastMinute(now), t.reads.lastHour(now),
                t.writes.last(), t.reads.last());
    }

    private static final class Topic {
        final Window writes = new Window();
        final Window reads = new Window();
    }

    /**
     * Events per second for 60 s and per minute for 60 min: only the buckets that had events,
     * as (stamp, count) pairs, oldest first, so a topic written now and then holds a few
     * pairs and one idle for three hours holds none (a topic's fixed cost matters with 100,000 of
     * them: benchmarks/RESULTS.md, P7).
     */
    static final class Window {
        private final Buckets seconds = new Buckets(60);
        private final Buckets minutes = new Buckets(60);
        private long last;

        synchronized void add(long nowMs) {
            seconds.add(nowMs / 1000);
            minutes.add(nowMs / 60_000);
            last = nowMs;
        }

        synchronized long lastMinute(long nowMs) {
            return seconds.sum(nowMs / 1000);
        }

        synchronized long lastHour(long nowMs) {
            return minutes.sum(nowMs / 60_000);
        }

        synchronized long last() {
            return last;
        }

        /** (stamp, count) pairs held, seconds and minutes together (tests: what an idle topic costs). */
        synchronized int heldPairs() {
            return seconds.n + minutes.n;
        }

        /** Whether any bucket array is allocated. */
        synchronized boolean holdsArrays() {
            return seconds.pairs != null || minutes.pairs != null;
        }
    }

    /** Counts per stamp (a second or a minute) for the last {@code span} stamps; the caller synchronizes. */
    static final class Buckets {
        private final int span;
        /** [stamp0, count0, stamp1, count1, …], stamps rising; null when empty. */
        private long[] pairs;
        private int n;

        Buckets(int span) {
            this.span = span;
        }

        void add(long stamp) {
            drop(stamp);
            if (n > 0 && pairs[2 * n - 2] >= stamp) {
                pairs[2 * n - 1]++; // this bucket (or a clock that stepped back: the newest one)
                return;
            }
            if (pairs == null) {
                pairs = new long[4];
            } else if (2 * n + 2 > pairs.length) {
                pairs = Arrays.copyOf(pairs, Math.min(pairs.length * 2, 2 * (span + 1)));
            }
            pairs[2 * n] = stamp;
            pairs[2 * n + 1] = 1;
            n++;
        }

        /**
         * The events of the last {@code span} stamps up to {@code now}. Changes nothing that a
         * query up to two spans earlier could count: it lets the array go only once its newest
         * bucket is three spans old.
         */
        long sum(long now) {
            if (n > 0 && now - pairs[2 * n - 2] >= 3L * span) {
                n = 0;
                pairs = null;
            }
            long total = 0;
            for (int i = 0; i < n; i++) {
                if (now - pairs[2 * i] < span) {
                    total += pairs[2 * i + 1];
                }
            }
            return total;
        }

        /** An event at {@code now}: forgets buckets older than the span before it; lets the array go when none is left. */
        private void drop(long now) {
            int old = 0;
            while (old < n && now - pairs[2 * old] >= span) {
                old++;
            }
            if (old == 0) {
                return;
            }
            n -= old;
            if (n == 0) {
                pairs = null;
            } else {
                System.arraycopy(pairs, 2 * old, pairs, 0, 2 * n);
            }
        }
    }
}
