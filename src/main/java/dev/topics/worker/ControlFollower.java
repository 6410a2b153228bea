package dev.topics.worker;

import dev.topics.storage.ControlEntry;
import dev.topics.storage.Storage;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Keeps a set of workers in line with the stored control entries of one kind, whoever changed
 * them (another node of a cluster too): every {@link Worker#FOLLOWER_WAIT_MS} it compares
 * {@link Storage#controlVersion}, and after a change hands the entries to {@code reconcile}.
 */
public final class ControlFollower {
    private ControlFollower() {
    }

    /** Starts following on a virtual thread named {@code name}, until {@code closed} says so. */
    public static void start(String name, Supplier<Storage> storage, ControlEntry.Kind kind, BooleanSupplier closed,
                             Consumer<List<ControlEntry>> reconcile) {
        Thread.ofVirtual().name(name).start(() -> {
            long seen = -1;
            while (!closed.getAsBoolean()) {
                try {
                    Thread.sleep(Worker.FOLLOWER_WAIT_MS);
                } catch (InterruptedException e) {
                    return;
                }
                Storage s = storage.get();
                try {
                    long v = s.controlVersion(kind);
                    if (v != seen) {
                        reconcile.accept(s.controls(kind));
                        seen = v;
                    }
                } catch (RuntimeException e) {
                    seen = -1; // the engine is closing or failing: look again next time
                }
            }
        });
    }
}
