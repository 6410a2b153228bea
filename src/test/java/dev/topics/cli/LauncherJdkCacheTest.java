package dev.topics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/jdk.sh's {@code find_jdk_cached}, which bin/topics runs on every command instead of the
 * search: run in a real bash, it remembers the search's answer, uses it while the search's
 * inputs are the same and the JDK is still there, and searches again when the JDK has gone
 * or an input (JAVA_HOME) changed. No timing is asserted; the speed is in
 * benchmarks/RESULTS.md.
 */
@Timeout(120)
class LauncherJdkCacheTest {
    @TempDir
    Path dir;

    /** The JDK running this test: a real one the search finds through JAVA_HOME. */
    private static final String JDK = Path.of(System.getProperty("java.home")).toString();

    /** Runs {@code find_jdk_cached CACHE} with JAVA_HOME set; returns its stdout. */
    private String cached(Path cache, String javaHome) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "source bin/jdk.sh && find_jdk_cached \"$1\"", "bash",
                cache.toString());
        pb.environment().put("JAVA_HOME", javaHome);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    /** A directory that looks like a JDK home to the cache check (bin/java and bin/javac executable). */
    private Path fakeJdk(String name) throws IOException {
        Path bin = Files.createDirectories(dir.resolve(name).resolve("bin"));
        for (String tool : List.of("java", "javac")) {
            Path t = Files.writeString(bin.resolve(tool), "#!/bin/sh\nexit 1\n");
            assertThat(t.toFile().setExecutable(true)).isTrue();
        }
        return dir.resolve(name);
    }

    @Test
    void theAnswerIsRememberedAndUsedWhileTheJdkIsThere() throws Exception {
        Path cache = dir.resolve("jdk-home");
        assertThat(cached(cache, JDK)).isEqualTo(JDK);
        List<String> lines = Files.readAllLines(cache);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("JAVA_HOME=" + JDK + " ");
        assertThat(lines.get(1)).isEqualTo(JDK);

        // the same inputs: the remembered answer is used as it is, without a search (which
        // would never pick this fake JDK: its java does not run)
        Path fake = fakeJdk("remembered");
        Files.write(cache, List.of(lines.get(0), fake.toString()));
        assertThat(cached(cache, JDK)).isEqualTo(fake.toString());
    }

    @Test
    void aJdkThatIsGoneOrAChangedJavaHomeMeansASearch() throws Exception {
        Path cache = dir.resolve("jdk-home");
        cached(cache, JDK);
        String inputs = Files.readAllLines(cache).get(0);

        Files.write(cache, List.of(inputs, dir.resolve("uninstalled-jdk").toString()));
        assertThat(cached(cache, JDK)).as("the remembered JDK is gone").isEqualTo(JDK);
        assertThat(Files.readAllLines(cache).get(1)).as("and the file is rewritten").isEqualTo(JDK);

        Path fake = fakeJdk("remembered");
        Files.write(cache, List.of(inputs.replace("JAVA_HOME=" + JDK, "JAVA_HOME=/elsewhere"), fake.toString()));
        assertThat(cached(cache, JDK)).as("JAVA_HOME is not what it was").isEqualTo(JDK);
    }

    @Test
    void withoutItsDirectoryNothingIsWrittenAndTheSearchStillAnswers() throws Exception {
        Path cache = dir.resolve("no-target-yet").resolve("jdk-home");
        assertThat(cached(cache, JDK)).isEqualTo(JDK);
        assertThat(cache.getParent()).doesNotExist();
    }
}
