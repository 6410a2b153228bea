package dev.topics.worker;

/**
 * The time a {@link Worker} reads and waits on: its backoff, its retry deadlines and its
 * naps between polls. The server runs on {@link #SYSTEM}; tests hand it one that they can
 * move forward, so that a test of retries does not wait out real seconds of backoff.
 */
public interface WorkerClock {
    /** The wall clock and {@link Thread#sleep}. */
    WorkerClock SYSTEM = new WorkerClock() {
        @Override
        public long millis() {
            return System.currentTimeMillis();
        }

        @Override
        public void sleep(long ms) throws InterruptedException {
            Thread.sleep(ms);
        }
    };

    /** Milliseconds since the epoch, like {@link System#currentTimeMillis()}. */
    long millis();

    /** Returns once {@code ms} milliseconds of this clock have passed; an interrupt ends the wait. */
    void sleep(long ms) throws InterruptedException;
}
