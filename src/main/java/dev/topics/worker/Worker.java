package dev.topics.worker;

/**
 * A loop on its own virtual thread that copies or delivers records until it is stopped:
 * the part a router's worker and a webhook's worker share. A subclass writes the loop in
 * {@link #run()}, checks {@link #stopping()} between steps and treats an interrupt as the
 * end; {@link #stop()} sets the flag, interrupts and waits for the loop to finish.
 */
public abstract class Worker implements Runnable {
    /**
     * How often a worker on a cluster node that does not run the workers now looks again
     * ({@code Storage#leads}): within this long of the node taking them over, they run.
     */
    public static final long FOLLOWER_WAIT_MS = 200;

    /** How long {@link #stop()} waits for the loop to end. */
    private static final long JOIN_MS = 15_000;

    /** The time the loop waits on (backoff, retry deadlines, naps). */
    protected final WorkerClock clock;
    private volatile boolean stop;
    private Thread thread;

    protected Worker(WorkerClock clock) {
        this.clock = clock;
    }

    /** Starts the loop on a virtual thread named {@code threadName}. */
    protected final void start(String threadName) {
        thread = Thread.ofVirtual().name(threadName).start(this);
    }

    /** Stops the loop and waits (briefly) for it: after this, the worker writes nothing more. */
    public final void stop() {
        stop = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(JOIN_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** True once {@link #stop()} was called: the loop should end. */
    protected final boolean stopping() {
        return stop;
    }
}
