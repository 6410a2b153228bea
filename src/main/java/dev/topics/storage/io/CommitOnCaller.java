package dev.topics.storage.io;

import java.util.function.Supplier;

/**
 * Marks a thread whose writes may be committed on the thread itself when the committer is
 * idle ({@code storage.wal.Committer}'s leader/follower commit). Only threads that nothing
 * interrupts may be marked: an interrupt during a {@code FileChannel} write or force
 * closes the channel, and the WAL's channel closed would stop the engine. Request handlers
 * qualify (Helidon interrupts them only when a stop's grace period runs out, and the
 * server turns these commits off before it stops); workers and watch streams, which the
 * server interrupts, do not.
 */
public final class CommitOnCaller {
    private static final ThreadLocal<Boolean> HERE = new ThreadLocal<>();

    private CommitOnCaller() {
    }

    /** Runs {@code call} with this thread marked. */
    public static <T> T run(Supplier<T> call) {
        HERE.set(Boolean.TRUE);
        try {
            return call.get();
        } finally {
            HERE.remove();
        }
    }

    /** True inside {@link #run}. */
    public static boolean here() {
        return HERE.get() != null;
    }
}
