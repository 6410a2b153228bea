package dev.topics.stats;

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

    /** Events per second for 60 s and per minute for 60 min, each bucket stamped with its second/minute. */
    static final class Window {
        private final long[] secondCount = new long[60];
        private final long[] secondStamp = new long[60];
        private final long[] minuteCount = new long[60];
        private final long[] minuteStamp = new long[60];
        private long last;

        synchronized void add(long nowMs) {
            long sec = nowMs / 1000;
            int s = (int) (sec % 60);
            if (secondStamp[s] != sec) {
                secondStamp[s] = sec;
                secondCount[s] = 0;
            }
            secondCount[s]++;
            long min = nowMs / 60_000;
            int m = (int) (min % 60);
            if (minuteStamp[m] != min) {
                minuteStamp[m] = min;
                minuteCount[m] = 0;
            }
            minuteCount[m]++;
            last = nowMs;
        }

        synchronized long lastMinute(long nowMs) {
            long sec = nowMs / 1000;
            long n = 0;
            for (int i = 0; i < 60; i++) {
                if (sec - secondStamp[i] < 60) {
                    n += secondCount[i];
                }
            }
            return n;
        }

        synchronized long lastHour(long nowMs) {
            long min = nowMs / 60_000;
            long n = 0;
            for (int i = 0; i < 60; i++) {
                if (min - minuteStamp[i] < 60) {
                    n += minuteCount[i];
                }
            }
            return n;
        }

        synchronized long last() {
            return last;
        }
    }
}
