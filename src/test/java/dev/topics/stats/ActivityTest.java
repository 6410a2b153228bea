package dev.topics.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * {@link Activity}: the per-topic counters behind SPEC §12's {@code activity}. The public
 * API over the real clock, and its {@code Window} (second buckets for the last minute,
 * minute buckets for the last hour) with synthetic times, so rolling out is checked to
 * the millisecond without waiting.
 */
class ActivityTest {
    /** A second boundary, then half a second in: second S = T0 / 1000. */
    static final long T0 = 1_700_000_040_000L + 500; // 1_700_000_040_000 is also a minute boundary
    static final long SEC = 1000;
    static final long MIN = 60_000;

    // ------------------------------------------------------------------ the public API

    @Test
    void aTopicNeverSeenHasNothing() {
        Activity a = new Activity();
        assertThat(a.counts("nothing")).isEqualTo(new Activity.Counts(0, 0, 0, 0, 0, 0));
    }

    @Test
    void writesAndReadsAreCountedPerTopicWithTheirLastTimes() {
        Activity a = new Activity();
        long before = System.currentTimeMillis();
        a.wrote("t");
        a.wrote("t");
        a.wrote("t");
        a.read("t");
        a.read("t");
        a.read("u");
        long after = System.currentTimeMillis();

        Activity.Counts t = a.counts("t");
        assertThat(t.writes1m()).isEqualTo(3);
        assertThat(t.writes1h()).isEqualTo(3);
        assertThat(t.reads1m()).isEqualTo(2);
        assertThat(t.reads1h()).isEqualTo(2);
        assertThat(t.lastWriteAt()).isBetween(before, after);
        assertThat(t.lastReadAt()).isBetween(before, after).isGreaterThanOrEqualTo(t.lastWriteAt());

        Activity.Counts u = a.counts("u");
        assertThat(u.writes1m()).isZero();
        assertThat(u.writes1h()).isZero();
        assertThat(u.lastWriteAt()).as("never written: 0").isZero();
        assertThat(u.reads1m()).isEqualTo(1);
        assertThat(u.lastReadAt()).isBetween(before, after);
    }

    @Test
    void forgetDropsOneTopicsActivity() {
        Activity a = new Activity();
        a.wrote("t");
        a.read("t");
        a.wrote("keep");
        a.forget("t");
        assertThat(a.counts("t")).isEqualTo(new Activity.Counts(0, 0, 0, 0, 0, 0));
        assertThat(a.counts("keep").writes1m()).isEqualTo(1);
        a.forget("never-seen"); // harmless

        // a topic made again under the name starts from zero
        a.wrote("t");
        Activity.Counts again = a.counts("t");
        assertThat(again.writes1m()).isEqualTo(1);
        assertThat(again.writes1h()).isEqualTo(1);
        assertThat(again.reads1h()).isZero();
        assertThat(again.lastReadAt()).isZero();
    }

    @Test
    void concurrentCountsAreExact() throws Exception {
        Activity a = new Activity();
        int threads = 8;
        int each = 2_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> all = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            all.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int k = 0; k < each; k++) {
                    a.wrote("hot");
                    a.read("hot");
                }
            }));
        }
        go.countDown();
        for (Thread t : all) {
            t.join();
        }
        // all within the last hour whatever the clock did meanwhile
        Activity.Counts c = a.counts("hot");
        assertThat(c.writes1h()).isEqualTo((long) threads * each);
        assertThat(c.reads1h()).isEqualTo((long) threads * each);
    }

    @Test
    void concurrentAddsToOneWindowAreExact() throws Exception {
        Activity.Window w = new Activity.Window();
        int threads = 8;
        int each = 5_000;
        List<Thread> all = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int n = i;
            all.add(Thread.ofPlatform().start(() -> {
                for (int k = 0; k < each; k++) {
                    w.add(T0 + (k % 50) * SEC + n); // spread over 50 seconds
                }
            }));
        }
        for (Thread t : all) {
            t.join();
        }
        long now = T0 + 50 * SEC;
        assertThat(w.lastMinute(now)).isEqualTo((long) threads * each);
        assertThat(w.lastHour(now)).isEqualTo((long) threads * each);
    }

    // ------------------------------------------------------------------ the window, synthetic times

    @Test
    void anEmptyWindowCountsNothing() {
        Activity.Window w = new Activity.Window();
        assertThat(w.lastMinute(T0)).isZero();
        assertThat(w.lastHour(T0)).isZero();
        assertThat(w.last()).isZero();
        // nor at the very start of time (bucket stamps start at 0)
        assertThat(w.lastMinute(0)).isZero();
        assertThat(w.lastHour(5 * SEC)).isZero();
    }

    @Test
    void aWindowHoldsOnlyTheBucketsThatHadEventsAndNothingOnceThreeHoursIdle() {
        Activity.Window w = new Activity.Window();
        assertThat(w.holdsArrays()).as("never used").isFalse();
        w.add(T0);
        w.add(T0 + 1);
        assertThat(w.heldPairs()).as("one second bucket and one minute bucket").isEqualTo(2);
        for (int i = 0; i < 200; i++) {
            w.add(T0 + i * SEC); // 200 seconds: at most the last 60 seconds and 4 minutes are held
        }
        assertThat(w.heldPairs()).isLessThanOrEqualTo(60 + 4);
        assertThat(w.lastMinute(T0 + 199 * SEC)).isEqualTo(60);
        assertThat(w.lastHour(T0 + 199 * SEC)).isEqualTo(202);
        assertThat(w.lastHour(T0 + 199 * SEC + 61 * MIN)).isZero();
        assertThat(w.lastMinute(T0 + 199 * SEC + 61 * MIN)).isZero();
        assertThat(w.heldPairs()).as("a query does not drop what an earlier query could count").isPositive();
        assertThat(w.lastHour(T0 + 199 * SEC + 3 * 60 * MIN)).isZero();
        assertThat(w.lastMinute(T0 + 199 * SEC + 3 * 60 * MIN)).isZero();
        assertThat(w.heldPairs()).isZero();
        assertThat(w.holdsArrays()).as("three hours idle: nothing held").isFalse();
        assertThat(w.last()).isEqualTo(T0 + 199 * SEC);
    }

    @Test
    void eventsWithinAMinuteAreAllCounted() {
        Activity.Window w = new Activity.Window();
        for (int i = 0; i < 5; i++) {
            w.add(T0);
        }
        w.add(T0 + 10 * SEC);
        w.add(T0 + 30 * SEC + 499);
        w.add(T0 + 59 * SEC);
        long now = T0 + 59 * SEC;
        assertThat(w.lastMinute(now)).isEqualTo(8);
        assertThat(w.lastHour(now)).isEqualTo(8);
        assertThat(w.last()).isEqualTo(T0 + 59 * SEC);
    }

    @Test
    void anEventRollsOutOfTheMinuteAfterSixtySeconds() {
        Activity.Window w = new Activity.Window();
        w.add(T0); // second S, 500 ms in
        long endOfS59 = (T0 / SEC + 59) * SEC + 999;
        long startOfS60 = (T0 / SEC + 60) * SEC;
        assertThat(w.lastMinute(endOfS59)).as("counted to the last ms of second S+59").isEqualTo(1);
        assertThat(w.lastMinute(startOfS60)).as("gone at second S+60").isZero();
        assertThat(w.lastMinute(T0 + 10 * MIN)).isZero();
        // still within the hour
        assertThat(w.lastHour(startOfS60)).isEqualTo(1);
        assertThat(w.lastHour(T0 + 10 * MIN)).isEqualTo(1);
    }

    @Test
    void eventsRollOutOneByOne() {
        Activity.Window w = new Activity.Window();
        w.add(T0);
        w.add(T0 + 10 * SEC);
        w.add(T0 + 20 * SEC);
        assertThat(w.lastMinute(T0 + 20 * SEC)).isEqualTo(3);
        assertThat(w.lastMinute(T0 + 60 * SEC)).isEqualTo(2);
        assertThat(w.lastMinute(T0 + 70 * SEC)).isEqualTo(1);
        assertThat(w.lastMinute(T0 + 79 * SEC)).isEqualTo(1);
        assertThat(w.lastMinute(T0 + 80 * SEC)).isZero();
        assertThat(w.lastHour(T0 + 80 * SEC)).isEqualTo(3);
    }

    @Test
    void aReusedSecondBucketForgetsItsOldCount() {
        Activity.Window w = new Activity.Window();
        w.add(T0);
        w.add(T0);
        w.add(T0 + 60 * SEC); // the same bucket (second mod 60), a minute later
        assertThat(w.lastMinute(T0 + 60 * SEC)).isEqualTo(1);
        assertThat(w.lastHour(T0 + 60 * SEC)).isEqualTo(3);
        w.add(T0 + 120 * SEC);
        assertThat(w.lastMinute(T0 + 120 * SEC)).isEqualTo(1);
        assertThat(w.lastHour(T0 + 120 * SEC)).isEqualTo(4);
    }

    @Test
    void hourBucketsCountAnHourAndRollOut() {
        Activity.Window w = new Activity.Window();
        w.add(T0);                  // minute M
        w.add(T0 + 30 * MIN);       // M+30
        w.add(T0 + 59 * MIN);       // M+59
        long m59 = T0 + 59 * MIN;
        assertThat(w.lastHour(m59)).isEqualTo(3);
        assertThat(w.lastMinute(m59)).isEqualTo(1);
        long endOfM59 = (T0 / MIN + 59) * MIN + MIN - 1;
        long startOfM60 = (T0 / MIN + 60) * MIN;
        assertThat(w.lastHour(endOfM59)).as("counted to the last ms of minute M+59").isEqualTo(3);
        assertThat(w.lastHour(startOfM60)).as("the first event gone at minute M+60").isEqualTo(2);
        assertThat(w.lastHour(T0 + 90 * MIN)).isEqualTo(1);
        assertThat(w.lastHour(T0 + 119 * MIN)).isZero();
        assertThat(w.lastMinute(T0 + 119 * MIN)).isZero();
        assertThat(w.last()).isEqualTo(T0 + 59 * MIN);
    }

    @Test
    void aReusedMinuteBucketForgetsItsOldCount() {
        Activity.Window w = new Activity.Window();
        w.add(T0);
        w.add(T0 + 60 * MIN); // the same minute bucket, an hour later
        assertThat(w.lastHour(T0 + 60 * MIN)).isEqualTo(1);
        w.add(T0 + 3 * 60 * MIN + 5 * MIN);
        assertThat(w.lastHour(T0 + 3 * 60 * MIN + 5 * MIN)).isEqualTo(1);
        assertThat(w.lastMinute(T0 + 3 * 60 * MIN + 5 * MIN)).isEqualTo(1);
    }

    @Test
    void lastIsTheLatestEvent() {
        Activity.Window w = new Activity.Window();
        w.add(T0);
        assertThat(w.last()).isEqualTo(T0);
        w.add(T0 + 1234);
        assertThat(w.last()).isEqualTo(T0 + 1234);
        // long after, the counts are gone but the last time stays
        assertThat(w.lastHour(T0 + 24 * 60 * MIN)).isZero();
        assertThat(w.last()).isEqualTo(T0 + 1234);
    }

    /** Against a plain model: an event counts while it is in one of the last 60 seconds / minutes. */
    @Test
    void matchesAModelOverARandomHistory() {
        Random rnd = new Random(42);
        Activity.Window w = new Activity.Window();
        List<Long> events = new ArrayList<>();
        long now = T0;
        for (int step = 0; step < 5_000; step++) {
            // mostly small steps, sometimes long gaps
            int kind = rnd.nextInt(100);
            now += kind < 80 ? rnd.nextInt(2_000) : kind < 95 ? rnd.nextInt(90_000) : rnd.nextInt(2 * 60 * 60_000);
            int n = rnd.nextInt(4);
            for (int i = 0; i < n; i++) {
                w.add(now);
                events.add(now);
            }
            long query = now + (rnd.nextBoolean() ? 0 : rnd.nextInt(120_000));
            long minute = 0;
            long hour = 0;
            for (long e : events) {
                if (query / SEC - e / SEC < 60) {
                    minute++;
                }
                if (query / MIN - e / MIN < 60) {
                    hour++;
                }
            }
            assertThat(w.lastMinute(query)).as("last minute at step %d", step).isEqualTo(minute);
            assertThat(w.lastHour(query)).as("last hour at step %d", step).isEqualTo(hour);
            if (!events.isEmpty()) {
                assertThat(w.last()).isEqualTo(events.get(events.size() - 1));
            }
            long cut = now - 3 * 60 * 60_000L;
            events.removeIf(e -> e < cut); // keep the model small
        }
    }
}
