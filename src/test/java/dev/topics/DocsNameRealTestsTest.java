package dev.topics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/RELIABILITY.md proves each guarantee by naming a test ({@code `storage.SomeTest`} or
 * {@code `storage.SomeTest.someMethod`}, relative to {@code dev.topics}); a class or method
 * renamed or split away must not leave the proof pointing at nothing.
 */
class DocsNameRealTestsTest {
    private static final Pattern NAME = Pattern.compile("`((?:[a-z]+\\.)+)([A-Z]\\w*)(?:\\.(\\w+))?`");

    @Test
    void everyClassAndMethodReliabilityMdNamesExists() throws IOException {
        Matcher m = NAME.matcher(Files.readString(Path.of("docs/RELIABILITY.md")));
        List<String> missing = new ArrayList<>();
        int named = 0;
        while (m.find()) {
            named++;
            String path = "dev/topics/" + m.group(1).replace('.', '/') + m.group(2) + ".java";
            Path test = Path.of("src/test/java", path);
            Path main = Path.of("src/main/java", path);
            Path file = Files.exists(test) ? test : main;
            if (!Files.exists(file)) {
                missing.add(m.group() + " (no " + test + " or " + main + ")");
            } else if (m.group(3) != null && !Files.readString(file).contains(" " + m.group(3) + "(")) {
                missing.add(m.group() + " (no method " + m.group(3) + " in " + file + ")");
            }
        }
        assertThat(named).as("names of tests found in docs/RELIABILITY.md").isGreaterThan(10);
        assertThat(missing).as("names in docs/RELIABILITY.md that point at nothing").isEmpty();
    }
}
