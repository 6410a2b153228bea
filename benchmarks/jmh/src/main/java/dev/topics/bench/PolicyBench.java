package dev.topics.bench;

import dev.topics.access.Action;
import dev.topics.access.Caller;
import dev.topics.access.Permission;
import dev.topics.access.Policy;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One access decision (SPEC §11) with 10,000 permissions: {@code spread} —
 * 990 principals with 10 permissions each over 50 first levels, plus 100 for {@code *} (what
 * an installation looks like); {@code oneHotPrincipal} — all 10,000 for the caller, on the
 * topic's first level, none matching (the worst case the index cannot help with). The
 * caller is neither admin nor owner, so every decision walks the permissions.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PolicyBench {
    private Policy spread;
    private Policy oneHot;
    private final Caller caller = new Caller("p-7", false, null);
    private final String topic = "level-3.orders.eu";

    @Setup
    public void setUp() {
        Random rnd = new Random(42);
        List<Permission> ps = new ArrayList<>();
        for (int p = 0; p < 990; p++) {
            for (int i = 0; i < 10; i++) {
                ps.add(perm("p-" + p, "level-" + rnd.nextInt(50) + (rnd.nextBoolean() ? ".>" : ".*.x" + i), rnd));
            }
        }
        for (int i = 0; i < 100; i++) {
            ps.add(perm("*", "level-" + rnd.nextInt(50) + ".audit-" + i + ".>", rnd));
        }
        spread = new Policy(ps);
        List<Permission> hot = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            hot.add(perm("p-7", "level-3.other-" + i + ".>", rnd));
        }
        oneHot = new Policy(hot);
    }

    private static Permission perm(String principal, String pattern, Random rnd) {
        return new Permission("perm_" + rnd.nextLong(), principal, pattern, true, rnd.nextBoolean(), rnd.nextInt(10) > 0, 0);
    }

    @Benchmark
    public Policy.Verdict spread() {
        return spread.decide(caller, topic, "someone-else", false, Action.READ);
    }

    @Benchmark
    public Policy.Verdict oneHotPrincipal() {
        return oneHot.decide(caller, topic, "someone-else", false, Action.READ);
    }
}
