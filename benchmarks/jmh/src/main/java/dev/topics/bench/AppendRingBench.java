package dev.topics.bench;

import dev.topics.storage.wal.AppendRing;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Throughput of the committer's hand-off: producers {@code publish} into the
 * {@link AppendRing} while one consumer {@code drainTo}s in batches, as the committer does.
 * The correctness proof is {@code AppendRingTest}; this says what it costs. Run with
 * {@code benchmarks/jmh/run}.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AppendRingBench {
    private AppendRing<Object> ring;
    private final Object item = new Object();
    private final List<Object> batch = new ArrayList<>(4096);

    @Setup
    public void setUp() {
        ring = new AppendRing<>(1 << 14);
        ring.consumer(null);
    }

    @TearDown
    public void drainLeftovers() {
        while (ring.drainTo(batch, Integer.MAX_VALUE) > 0) {
            batch.clear();
        }
    }

    @Benchmark
    @Group("ring")
    @GroupThreads(1)
    public void publish() {
        ring.publish(item);
    }

    @Benchmark
    @Group("ring")
    @GroupThreads(1)
    public void drain(Blackhole bh) {
        int n = ring.drainTo(batch, 4096);
        bh.consume(n);
        batch.clear();
    }
}
