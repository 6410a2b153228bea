package dev.topics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.ChildServer;
import dev.topics.testing.ProcessTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code etc/topics.service} works as README's install steps say: systemd's own checker finds
 * nothing wrong with it, every file it needs is made by a step, and the server starts with
 * exactly the environment it sets (its paths moved under a temporary directory).
 */
@Timeout(120)
class SystemdUnitTest extends ProcessTest {
    private static final Path UNIT = Path.of("etc", "topics.service");

    private static List<String> values(String unit, String key) {
        List<String> out = new ArrayList<>();
        for (String line : unit.split("\n")) {
            if (line.startsWith(key + "=")) {
                out.add(line.substring(key.length() + 1));
            }
        }
        return out;
    }

    @Test
    void systemdAnalyzeVerifyFindsNothing() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        Assumptions.assumeTrue(Files.isExecutable(analyze),
                "systemd-analyze is not installed here (Debian's systemd package has it); nothing to run it with");
        // the unit names the install place, /opt/topics; here the checkout stands in for it
        Path unit = tmp.resolve("topics.service");
        Files.writeString(unit, Files.readString(UNIT).replace("/opt/topics", Path.of("").toAbsolutePath().toString()));
        Process p = new ProcessBuilder(analyze.toString(), "verify", "--man=no", unit.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as("systemd-analyze verify's findings").isBlank();
    }

    @Test
    void theReadmeStepsMakeWhatTheUnitNeedsAndTheServerStartsWithItsEnvironment() throws Exception {
        String unit = Files.readString(UNIT);
        String readme = Files.readString(Path.of("README.md"));
        Map<String, String> env = new HashMap<>();
        for (String e : values(unit, "Environment")) {
            env.put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
        }
        String config = env.get("TOPICS_CONFIG");
        assertThat(config).as("the settings file the unit reads").isNotNull();
        assertThat(values(unit, "AssertPathExists")).containsExactly(config);
        assertThat(readme).as("a README step makes the settings file")
                .contains("install -m 0640 -g topics /opt/topics/etc/topics.yaml " + config);
        assertThat(readme).contains("useradd --system --home-dir " + values(unit, "WorkingDirectory").get(0));
        assertThat(readme).contains("cp /opt/topics/etc/topics.service /etc/systemd/system/");
        assertThat(values(unit, "ExecStart")).containsExactly("/opt/topics/bin/topics serve");
        assertThat(env.get("TOPICS_DATA_DIR")).startsWith(values(unit, "ReadWritePaths").get(0) + "/");

        // as the service starts it: its environment, the settings file a copy of etc/topics.yaml
        Path root = tmp.resolve("root");
        Path configFile = root.resolve(config.substring(1));
        Files.createDirectories(configFile.getParent());
        Files.copy(Path.of("etc", "topics.yaml"), configFile);
        Map<String, String> moved = new HashMap<>();
        env.forEach((k, v) -> moved.put(k, root.resolve(v.substring(1)).toString()));
        moved.put("TOPICS_PORT", "0"); // beside other tests; the unit leaves the port to the file
        ChildServer s = keep(ChildServer.start(null, moved));
        assertThat(s.get("/readyz").status()).isEqualTo(200);
        assertThat(Files.isDirectory(root.resolve(env.get("TOPICS_DATA_DIR").substring(1)))).isTrue();
        s.sigterm();
        assertThat(s.waitFor(java.time.Duration.ofSeconds(30))).as("SIGTERM stops it cleanly").isZero();
    }
}
