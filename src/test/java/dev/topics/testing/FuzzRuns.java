package dev.topics.testing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the inputs each fuzz target ran, for the line {@code bin/fuzz} prints ("fuzz-runs
 * JsonReaderFuzzTest.readersAgreeAndRoundTrip 123456"). libFuzzer's own statistics go to the
 * forked JVM's native stderr, which Maven does not show, so the targets count for themselves:
 * call {@link #count} first thing in a {@code @FuzzTest} and {@link #report} from its class's
 * {@code @AfterAll}.
 */
public final class FuzzRuns {
    private static final Map<String, LongAdder> RUNS = new ConcurrentHashMap<>();

    private FuzzRuns() {
    }

    public static void count(Class<?> test, String method) {
        RUNS.computeIfAbsent(test.getSimpleName() + "." + method, k -> new LongAdder()).increment();
    }

    /** Prints one {@code fuzz-runs <Class.method> <n>} line per target of {@code test} that ran. */
    public static void report(Class<?> test) {
        String prefix = test.getSimpleName() + ".";
        RUNS.forEach((target, n) -> {
            if (target.startsWith(prefix)) {
                System.out.println("fuzz-runs " + target + " " + n.sum());
            }
        });
    }
}
