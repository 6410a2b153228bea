package dev.topics.cli;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polling instead of sleeping: waits for a condition, failing with what was awaited after a generous limit. */
final class Await {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    private Await() {
    }

    static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still waiting after " + LIMIT.toSeconds() + " s: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }
}
