package dev.topics.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A per-test scratch directory in memory ({@code /dev/shm}) when the machine has one, else
 * the test's own {@code @TempDir}. (The JUnit API on this build's class path is 5.9 — the
 * Helidon BOM pins it — which has no {@code @TempDir(factory = …)}.) Use it from
 * {@code @BeforeEach}/{@code @AfterEach}:
 * <pre>
 *   &#64;TempDir Path tempDir;  Path dir;
 *   &#64;BeforeEach void scratch() { dir = MemoryTempDir.create(tempDir); }
 *   &#64;AfterEach void clean() { MemoryTempDir.delete(dir, tempDir); }
 * </pre>
 *
 * <p>For crash-recovery sweeps, which open, recover and close a copied data directory
 * hundreds of times: each cycle fsyncs several files, and on a real disk those forces
 * (and the write-back of every copied byte they drag along) dominate the run time.
 * Crashes are simulated by copying and damaging files, never by losing unsynced pages,
 * so nothing those tests check depends on what fsync does.
 */
public final class MemoryTempDir {
    private static final Path SHM = Path.of("/dev/shm");

    private MemoryTempDir() {
    }

    /** A new empty directory in memory, or {@code fallback} when there is no {@code /dev/shm}. */
    public static Path create(Path fallback) {
        try {
            if (Files.isDirectory(SHM) && Files.isWritable(SHM)) {
                return Files.createTempDirectory(SHM, "topics-test-");
            }
            return fallback;
        } catch (IOException e) {
            return fallback;
        }
    }

    /** Deletes a directory made by {@link #create} (the fallback is JUnit's to delete). */
    public static void delete(Path dir, Path fallback) {
        if (dir != null && !dir.equals(fallback)) {
            try {
                Corruptor.deleteTree(dir);
            } catch (UncheckedIOException e) {
                // a leftover in /dev/shm is not worth failing a test for
            }
        }
    }
}
