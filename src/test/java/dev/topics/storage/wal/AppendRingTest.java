package dev.topics.storage.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AppendRingTest {
    private static final int PRODUCERS = 8;
    private static final int PER_PRODUCER = 50_000;
    private static final int CAPACITY = 1024;

    private record Item(int producer, int n) {
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void manyProducersLoseNothingDuplicateNothingAndKeepTheirOrder() throws Exception {
        AppendRing<Item> ring = new AppendRing<>(CAPACITY);
        ring.consumer(Thread.currentThread());
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            int id = p;
            Runnable body = () -> {
                try {
                    start.await();
                    for (int n = 0; n < PER_PRODUCER; n++) {
                        ring.publish(new Item(id, n));
                    }
                } catch (Throwable t) {
                    producerFailure.compareAndSet(null, t);
                }
            };
            // half platform, half virtual: both kinds of request thread publish in production
            Thread t = p % 2 == 0 ? Thread.ofPlatform().name("producer-" + p).start(body)
                    : Thread.ofVirtual().name("producer-" + p).start(body);
            producers.add(t);
        }

        int[] next = new int[PRODUCERS];
        long total = (long) PRODUCERS * PER_PRODUCER;
        long received = 0;
        long maxPending = 0;
        int maxDrain = 0;
        List<Item> batch = new ArrayList<>();
        start.countDown();
        while (received < total) {
            long pending = ring.pending();
            maxPending = Math.max(maxPending, pending);
            assertThat(pending).as("pending never exceeds the capacity").isLessThanOrEqualTo(CAPACITY);
            batch.clear();
            int n = ring.drainTo(batch, 4096);
            assertThat(n).isEqualTo(batch.size());
            if (n == 0) {
                assertThat(producerFailure.get()).isNull();
                ring.await(TimeUnit.MILLISECONDS.toNanos(50));
                continue;
            }
            maxDrain = Math.max(maxDrain, n);
            for (Item it : batch) {
                assertThat(it).isNotNull();
                // exactly the next item of that producer: no loss, no duplicate, order kept
                assertThat(it.n()).as("next item of producer %d", it.producer()).isEqualTo(next[it.producer()]);
                next[it.producer()]++;
            }
            received += n;
        }
        for (Thread t : producers) {
            t.join();
        }
        assertThat(producerFailure.get()).isNull();
        assertThat(next).containsOnly(PER_PRODUCER);
        assertThat(ring.pending()).isZero();
        assertThat(ring.ready()).isFalse();
        List<Item> rest = new ArrayList<>();
        assertThat(ring.drainTo(rest, Integer.MAX_VALUE)).isZero();
        assertThat(maxDrain).as("one drain never takes more than the ring holds").isLessThanOrEqualTo(CAPACITY);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aParkedConsumerIsWokenByEveryPublish() throws Exception {
        // Ping-pong: the consumer parks with a long timeout before each item; a missed
        // wake-up would show as a round trip that took (close to) the whole timeout.
        AppendRing<Integer> ring = new AppendRing<>(2);
        AppendRing<Integer> back = new AppendRing<>(2);
        int rounds = 2_000;
        AtomicLong slowest = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread consumer = Thread.ofPlatform().name("ring-consumer").unstarted(() -> {
            try {
                List<Integer> got = new ArrayList<>();
                for (int i = 0; i < rounds; i++) {
                    long t0 = System.nanoTime();
                    while (!ring.ready()) {
                        ring.await(TimeUnit.SECONDS.toNanos(20));
                    }
                    slowest.accumulateAndGet(System.nanoTime() - t0, Math::max);
                    got.clear();
                    assertThat(ring.drainTo(got, 10)).isEqualTo(1);
                    assertThat(got).containsExactly(i);
                    back.publish(i);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        ring.consumer(consumer);
        back.consumer(Thread.currentThread());
        consumer.start();
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            ring.publish(i);
            got.clear();
            while (back.drainTo(got, 10) == 0) {
                back.await(TimeUnit.SECONDS.toNanos(20));
                if (failure.get() != null) {
                    break;
                }
            }
            if (failure.get() != null) {
                break;
            }
            assertThat(got).containsExactly(i);
        }
        consumer.join();
        assertThat(failure.get()).isNull();
        assertThat(TimeUnit.NANOSECONDS.toSeconds(slowest.get())).as("slowest wake-up, s").isLessThan(10);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aFullRingHoldsAPublisherBackUntilTheConsumerDrains() throws Exception {
        AppendRing<Integer> ring = new AppendRing<>(4);
        for (int i = 0; i < 4; i++) {
            ring.publish(i);
        }
        assertThat(ring.pending()).isEqualTo(4);
        CountDownLatch published = new CountDownLatch(1);
        Thread late = Thread.ofVirtual().start(() -> {
            ring.publish(4);
            published.countDown();
        });
        // Whatever the publisher did meanwhile, it cannot have overwritten a held item.
        List<Integer> got = new ArrayList<>();
        assertThat(ring.drainTo(got, 2)).isEqualTo(2);
        assertThat(got).containsExactly(0, 1);
        assertThat(published.await(20, TimeUnit.SECONDS)).isTrue();
        late.join();
        got.clear();
        assertThat(ring.drainTo(got, 100)).isEqualTo(3);
        assertThat(got).containsExactly(2, 3, 4);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 1024, 1 << 14})
    void capacityIsAPowerOfTwo(int capacity) {
        assertThat(new AppendRing<>(capacity).capacity()).isEqualTo(capacity);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 6, 1000, 1023, 1025, -1, -4, Integer.MIN_VALUE})
    void capacityThatIsNotAPositivePowerOfTwoIsRefused(int capacity) {
        assertThatThrownBy(() -> new AppendRing<>(capacity)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readyAndPendingFollowPublishAndDrain() {
        AppendRing<String> ring = new AppendRing<>(8);
        assertThat(ring.ready()).isFalse();
        assertThat(ring.pending()).isZero();
        ring.publish("a");
        assertThat(ring.ready()).isTrue();
        assertThat(ring.pending()).isEqualTo(1);
        ring.publish("b");
        ring.publish("c");
        assertThat(ring.pending()).isEqualTo(3);
        List<String> out = new ArrayList<>();
        assertThat(ring.drainTo(out, 2)).isEqualTo(2);
        assertThat(out).containsExactly("a", "b");
        assertThat(ring.ready()).isTrue();
        assertThat(ring.pending()).isEqualTo(1);
        assertThat(ring.drainTo(out, 0)).isZero();
        assertThat(ring.drainTo(out, 10)).isEqualTo(1);
        assertThat(out).containsExactly("a", "b", "c");
        assertThat(ring.ready()).isFalse();
        assertThat(ring.pending()).isZero();
        assertThat(ring.drainTo(out, 10)).isZero();
    }

    @Test
    void itemsWrapAroundTheRingInOrder() {
        AppendRing<Integer> ring = new AppendRing<>(4);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ring.publish(2 * i);
            ring.publish(2 * i + 1);
            assertThat(ring.drainTo(out, 1)).isEqualTo(1);
            assertThat(ring.drainTo(out, 1)).isEqualTo(1);
        }
        assertThat(out).hasSize(200);
        for (int i = 0; i < 200; i++) {
            assertThat(out.get(i)).isEqualTo(i);
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void awaitReturnsAtOnceWhenAnItemIsReady() {
        AppendRing<Integer> ring = new AppendRing<>(2);
        ring.consumer(Thread.currentThread());
        ring.publish(1);
        long t0 = System.nanoTime();
        ring.await(TimeUnit.SECONDS.toNanos(30));
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }
}
