package dev.topics.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * For tests that run the real server in child JVMs ({@link ChildServer}): a scratch
 * directory per test, and every child started through {@link #keep} is killed after the
 * test, whatever happened in it, so that no server outlives its test.
 */
public abstract class ProcessTest {
    @TempDir
    protected Path tmp;

    private final List<ChildServer> children = new ArrayList<>();

    /** Registers {@code child} to be killed after the test, and returns it. */
    protected ChildServer keep(ChildServer child) {
        children.add(child);
        return child;
    }

    /**
     * Kills every child still running; a test's own {@code @AfterEach} calls it first when
     * its clean-up needs the children gone (e.g. before unmounting their disk).
     */
    @AfterEach
    protected void killLeftovers() {
        children.forEach(ChildServer::close);
        children.clear();
    }
}
