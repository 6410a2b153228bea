package dev.topics.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's "Try it" commands, run as written — with bash and curl, against a real server
 * in dev mode, one after the other. Each must succeed and answer what its comment
 * promises, with no error body.
 */
@Timeout(120)
class ReadmeQuickstartTest {
    @TempDir
    Path tmp;

    /** The shell lines of the first {@code ```sh} block after "## Try it", without comments. */
    static List<String> quickstart() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("README.md"));
        int at = lines.indexOf("## Try it");
        assertThat(at).as("README has a 'Try it' section").isNotNegative();
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String l : lines.subList(at, lines.size())) {
            if (!in && l.equals("```sh")) {
                in = true;
            } else if (in && l.equals("```")) {
                break;
            } else if (in && !l.isBlank() && !l.startsWith("#")) {
                out.add(l);
            }
        }
        return out;
    }

    record Run(int exit, String out) {
    }

    static Run bash(String line, String topics) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "set -e; export TOPICS=" + topics + "; " + line
                .replace("export TOPICS=http://localhost:4000", "true"));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    @Test
    void everyQuickstartCommandRunsAsWritten() throws Exception {
        List<String> lines = quickstart();
        assertThat(lines).hasSizeGreaterThanOrEqualTo(8);
        assertThat(lines.get(0)).isEqualTo("export TOPICS=http://localhost:4000");
        try (TestServer server = TestServer.start(tmp)) {
            String topics = "http://localhost:" + server.port();
            List<String> outputs = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                Run r = bash(line, topics);
                // curl --max-time ends a stream it was told to follow for a while: exit 28
                int expected = line.contains("--max-time") ? 28 : 0;
                assertThat(r.exit()).as("exit of: %s%noutput: %s", line, r.out()).isEqualTo(expected);
                assertThat(r.out()).as("answer of: %s", line).doesNotContain("\"error\"").isNotBlank();
                outputs.add(r.out());
            }
            String all = String.join("\n", outputs);
            assertThat(outputs.get(0)).contains("\"created\":true");
            assertThat(outputs.get(1)).contains("\"seqs\":[1,2]");
            assertThat(outputs.get(2)).contains("\"AEROPRESS-GO\"").contains("\"next_from_seq\":2");
            assertThat(outputs.get(3)).contains("\"caught_up\":true");
            assertThat(outputs.get(4)).contains("retry: 2000").contains("event: record").contains("event: caught-up");
            assertThat(outputs.get(5)).containsPattern("\"wid\":\"wid_[A-Za-z0-9_-]{22}\"");
            assertThat(outputs.get(6)).contains("\"router\":\"orders-to-fulfillment\"");
            assertThat(outputs.get(7)).contains("\"deleted\":1");
            assertThat(outputs.get(8)).contains("\"topic\":\"alerts\"").contains("\"seqs\":[1]");
            assertThat(all).doesNotContain("internal_error");
        }
    }
}
