package dev.topics.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waiting in tests: one place for the sleeps and the deadline loops.
 *
 * <p>{@link #until} polls a condition until it holds and fails with the caller's words
 * and the last value seen when the deadline passes; {@link #value} does the same and
 * returns the value that passed. {@link #sleep} is for the rare test that must let time
 * go by (to show that something does <em>not</em> happen); an interrupt fails the test.
 * {@link #pause} is the sleep of a worker thread, which an interrupt ends quietly.
 */
public final class Await {
    /** How often a condition is polled. */
    private static final long POLL_MS = 10;

    private Await() {
    }

    /** Sleeps {@code ms} milliseconds; an interrupt fails the test. */
    public static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while sleeping", e);
        }
    }

    /**
     * Sleeps {@code ms} milliseconds in a worker thread: an interrupt ends the sleep early
     * and stays set, for the loop around it to see (and stop).
     */
    public static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Polls {@code condition} until it is true; fails naming {@code what} after {@code timeout}. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        until(what, timeout, Duration.ofMillis(POLL_MS), condition);
    }

    /** {@link #until(String, Duration, BooleanSupplier)}, polling every {@code poll}. */
    public static void until(String what, Duration timeout, Duration poll, BooleanSupplier condition) {
        value(what, timeout, poll, () -> condition.getAsBoolean(), ok -> ok);
    }

    /**
     * Polls {@code supplier} until {@code done} accepts its value, and returns that value;
     * fails after {@code timeout} with {@code what} and the last value seen.
     */
    public static <T> T value(String what, Duration timeout, Supplier<T> supplier, Predicate<? super T> done) {
        return value(what, timeout, Duration.ofMillis(POLL_MS), supplier, done);
    }

    /** {@link #value(String, Duration, Supplier, Predicate)}, polling every {@code poll}. */
    public static <T> T value(String what, Duration timeout, Duration poll, Supplier<T> supplier,
                              Predicate<? super T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last;
        while (true) {
            last = supplier.get();
            if (done.test(last)) {
                return last;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("waited " + timeout.toMillis() + " ms for " + what + "; last seen: " + last);
            }
            sleep(poll.toMillis());
        }
    }

    /** The nanoseconds left until {@code deadline} (a {@link System#nanoTime()} value), at least 1. */
    public static long nanosLeft(long deadline) {
        return Math.max(1, deadline - System.nanoTime());
    }
}
