package dev.topics.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code cors.allowed_origins}: a YAML list, a comma-separated string or the environment; bad origins refused by name. */
class CorsConfigTest {
    @TempDir
    Path tmp;

    List<String> origins(String yaml, Map<String, String> env) throws Exception {
        Path file = tmp.resolve("t.yaml");
        Files.writeString(file, yaml);
        return ConfigLoader.load(file, env).cors().allowedOrigins();
    }

    @Test
    void noneByDefault() throws Exception {
        assertThat(ConfigLoader.load(null, Map.of()).cors()).isEqualTo(ServerConfig.Cors.NONE);
        assertThat(origins("cors:\n  allowed_origins: \"\"\n", Map.of())).isEmpty();
    }

    @Test
    void aYamlListAStringOrTheEnvironment() throws Exception {
        assertThat(origins("cors:\n  allowed_origins:\n    - https://App.example.com\n    - http://localhost:5173\n", Map.of()))
                .containsExactly("https://app.example.com", "http://localhost:5173");
        assertThat(origins("cors:\n  allowed_origins: \"https://a.example, https://b.example:8443\"\n", Map.of()))
                .containsExactly("https://a.example", "https://b.example:8443");
        assertThat(origins("cors:\n  allowed_origins: [\"*\"]\n", Map.of())).containsExactly("*");
        assertThat(origins("port: 0\n", Map.of("TOPICS_CORS_ALLOWED_ORIGINS", "https://env.example")))
                .containsExactly("https://env.example");
        assertThat(origins("cors:\n  allowed_origins: [https://a.example, https://a.example]\n", Map.of()))
                .containsExactly("https://a.example");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://app.example/", "https://app.example/path", "app.example", "https://a.example,,https://b.example",
            "*, https://a.example", "null", "https://user@app.example"})
    void aBadOriginStopsStartWithTheKeyNamed(String value) throws Exception {
        Path file = tmp.resolve("bad.yaml");
        Files.writeString(file, "cors:\n  allowed_origins: \"" + value + "\"\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("config key cors.allowed_origins")
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("cors.allowed_origins"));
    }

    @Test
    void aListIsRefusedWhereOneValueBelongs() throws Exception {
        Path file = tmp.resolve("list.yaml");
        Files.writeString(file, "bind:\n  - 127.0.0.1\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("expected a single value, got a list");
        Files.writeString(file, "cors:\n  allowed_origins:\n    - a: b\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("cors.allowed_origins");
    }
}
