package dev.topics.testing;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fresh scratch directory for each test, in memory when the machine allows it
 * ({@link MemoryTempDir}): extend it and use {@link #dir}. For storage tests that open,
 * recover and close data directories many times (see {@link MemoryTempDir} for why in
 * memory).
 */
public abstract class ScratchDirTest {
    /** JUnit's directory for this test: the fallback, and where tests may put what must be on disk. */
    @TempDir
    protected Path tempDir;
    /** This test's directory: in memory when possible (see {@link MemoryTempDir}). */
    protected Path dir;

    @BeforeEach
    void scratch() {
        dir = MemoryTempDir.create(tempDir);
    }

    @AfterEach
    void clean() {
        MemoryTempDir.delete(dir, tempDir);
    }
}
