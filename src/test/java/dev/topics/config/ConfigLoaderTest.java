package dev.topics.config;

import dev.topics.storage.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ConfigLoaderTest {

    /** etc/topics.yaml written out by hand: if this and the file disagree, one of them is wrong. */
    static final ServerConfig EXPECTED_DEFAULTS = new ServerConfig(
            "127.0.0.1",
            4000,
            Path.of("./topics-data"),
            null,
            AuthMode.AUTO,
            null,
            20,
            1000,
            new ServerConfig.Limits(16_777_216, 1_048_576, 10_000, 64, 256),
            new ServerConfig.StorageSettings(200, 67_108_864, 67_108_864, 4096, 1_048_576, 60_000, 268_435_456, 60_000, 0, 16_777_216),
            new TopicConfig(0, 0, 0, TopicConfig.Discard.OLD, true, TopicConfig.Durability.FSYNC,
                    true, 120_000, true, false, false),
            new ServerConfig.Watch(86_400_000, 60_000),
            new ServerConfig.Webhooks(null),
            false,
            new ServerConfig.Http(10_000, 60_000, 32_768, 16_384), ServerConfig.Cors.NONE);

    @TempDir
    Path dir;

    private Path yaml(String content) throws IOException {
        Path file = dir.resolve("topics.yaml");
        Files.writeString(file, content);
        return file;
    }

    // ---- defaults and layering ------------------------------------------------------------

    @Test
    void embeddedDefaultsEqualTheHandWrittenExpectedConfig() throws Exception {
        assertThat(ConfigLoader.load(null, Map.of())).isEqualTo(EXPECTED_DEFAULTS);
    }

    @Test
    void embeddedDefaultsMatchTopicConfigDefaults() throws Exception {
        assertThat(ConfigLoader.load(null, Map.of()).topicDefaults()).isEqualTo(TopicConfig.DEFAULTS);
    }

    @Test
    void theRepoFileIsTheEmbeddedResource() throws Exception {
        try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream("topics.yaml")) {
            assertThat(in).isNotNull();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo(Files.readString(repoFile()));
        }
    }

    @Test
    void theDocumentedFileLoadsAsAUserFileToTheDefaults() throws Exception {
        assertThat(ConfigLoader.load(repoFile(), Map.of())).isEqualTo(EXPECTED_DEFAULTS);
    }

    @Test
    void aPartialFileKeepsDefaultsForOmittedKeys() throws Exception {
        Path file = yaml("""
                port: 5000
                limits:
                  max_json_depth: 32
                topic_defaults:
                  discard: new
                """);
        ServerConfig config = ConfigLoader.load(file, Map.of());
        assertThat(config.port()).isEqualTo(5000);
        assertThat(config.limits()).isEqualTo(new ServerConfig.Limits(16_777_216, 1_048_576, 10_000, 32, 256));
        assertThat(config.topicDefaults().discard()).isEqualTo(TopicConfig.Discard.NEW);
        assertThat(config.bind()).isEqualTo(EXPECTED_DEFAULTS.bind());
        assertThat(config.storage()).isEqualTo(EXPECTED_DEFAULTS.storage());
        assertThat(config.authMode()).isEqualTo(AuthMode.AUTO);
    }

    @Test
    void anEmptyFileOrAnEmptySectionMeansAllDefaults() throws Exception {
        assertThat(ConfigLoader.load(yaml(""), Map.of())).isEqualTo(EXPECTED_DEFAULTS);
        assertThat(ConfigLoader.load(yaml("# nothing here\n"), Map.of())).isEqualTo(EXPECTED_DEFAULTS);
        assertThat(ConfigLoader.load(yaml("limits:\n#  max_json_depth: 8\nstorage: {}\n"), Map.of()))
                .isEqualTo(EXPECTED_DEFAULTS);
    }

    @Test
    void everyKeyCanBeSetFromAFile() throws Exception {
        Path file = yaml("""
                bind: 0.0.0.0
                port: 0
                data_dir: /var/lib/topics
                node_id: "eu-1.node:a_b-c"
                auth:
                  mode: required
                  admin_token: s3cret-token
                  failures_per_minute: 7
                webhooks:
                  allow_private: false
                metrics:
                  public: true
                limits:
                  max_body_bytes: 1000
                  max_record_bytes: 900
                  max_records_per_write: 1000000
                  max_json_depth: 1024
                  max_tag_bytes: 16
                storage:
                  async_flush_ms: 1
                  segment_bytes: 4096
                  wal_file_bytes: 8192
                  index_interval_bytes: 64
                  tail_bytes: 0
                  snapshot_interval_ms: 5
                  snapshot_wal_bytes: 6
                  compaction_interval_ms: 7
                  max_open_segments: 8
                  disk_reserve_bytes: 9
                topic_defaults:
                  ttl_ms: 1
                  cap_records: 2
                  cap_bytes: 3
                  discard: new
                  durable: false
                  durability: async
                  auto_create: false
                  idempotency_window_ms: 0
                  dedupe_node: false
                  public_read: true
                  public_publish: true
                """);
        assertThat(ConfigLoader.load(file, Map.of())).isEqualTo(new ServerConfig(
                "0.0.0.0", 0, Path.of("/var/lib/topics"), "eu-1.node:a_b-c", AuthMode.REQUIRED,
                "s3cret-token",
                7,
                1000,
                new ServerConfig.Limits(1000, 900, 1_000_000, 1024, 16),
                new ServerConfig.StorageSettings(1, 4096, 8192, 64, 0, 5, 6, 7, 8, 9),
                new TopicConfig(1, 2, 3, TopicConfig.Discard.NEW, false, TopicConfig.Durability.ASYNC,
                        false, 0, false, true, true),
                new ServerConfig.Watch(86_400_000, 60_000),
                new ServerConfig.Webhooks(false),
                true,
                new ServerConfig.Http(10_000, 60_000, 32_768, 16_384), ServerConfig.Cors.NONE));
    }

    static Stream<Arguments> envOverrides() {
        return Stream.of(
                arguments("TOPICS_BIND", "0.0.0.0", f(ServerConfig::bind), "0.0.0.0"),
                arguments("TOPICS_PORT", "8080", f(ServerConfig::port), 8080),
                arguments("TOPICS_DATA_DIR", "/data", f(ServerConfig::dataDir), Path.of("/data")),
                arguments("TOPICS_NODE_ID", "node-7", f(ServerConfig::nodeId), "node-7"),
                arguments("TOPICS_AUTH", "disabled", f(ServerConfig::authMode), AuthMode.DISABLED),
                arguments("TOPICS_ADMIN_TOKEN", "adm_123", f(ServerConfig::adminToken), "adm_123"),
                arguments("TOPICS_DEFAULT_PUBLIC_READ", "true", f(c -> c.topicDefaults().publicRead()), true),
                arguments("TOPICS_DEFAULT_PUBLIC_PUBLISH", "true",
                        f(c -> c.topicDefaults().publicPublish()), true),
                arguments("PINGD_DEFAULT_PUBLIC_READ", "true", f(c -> c.topicDefaults().publicRead()), true),
                arguments("PINGD_DEFAULT_PUBLIC_PUBLISH", "true",
                        f(c -> c.topicDefaults().publicPublish()), true));
    }

    private static Function<ServerConfig, Object> f(Function<ServerConfig, Object> getter) {
        return getter;
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("envOverrides")
    void anEnvironmentVariableOverridesTheDefault(String variable, String value,
            Function<ServerConfig, Object> getter, Object expected) throws Exception {
        assertThat(getter.apply(ConfigLoader.load(null, Map.of(variable, value)))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("envOverrides")
    void anEnvironmentVariableOverridesTheFile(String variable, String value,
            Function<ServerConfig, Object> getter, Object expected) throws Exception {
        Path file = yaml("""
                bind: 10.0.0.1
                port: 5000
                data_dir: /from/file
                node_id: file-node
                auth:
                  mode: required
                  admin_token: file-token
                topic_defaults:
                  public_read: false
                  public_publish: false
                """);
        assertThat(getter.apply(ConfigLoader.load(file, Map.of(variable, value)))).isEqualTo(expected);
    }

    @Test
    void topicsNamesWinOverPingdAliases() throws Exception {
        ServerConfig config = ConfigLoader.load(null, Map.of(
                "TOPICS_DEFAULT_PUBLIC_READ", "false", "PINGD_DEFAULT_PUBLIC_READ", "true",
                "TOPICS_DEFAULT_PUBLIC_PUBLISH", "true", "PINGD_DEFAULT_PUBLIC_PUBLISH", "false"));
        assertThat(config.topicDefaults().publicRead()).isFalse();
        assertThat(config.topicDefaults().publicPublish()).isTrue();
    }

    @Test
    void unrelatedEnvironmentVariablesAreIgnored() throws Exception {
        assertThat(ConfigLoader.load(null, Map.of("TOPICS_LIMITS_MAX_JSON_DEPTH", "3", "PORT", "1",
                "TOPICS_TOKEN", "x", "TOPICS", "http://h"))).isEqualTo(EXPECTED_DEFAULTS);
    }

    @Test
    void anEmptyEnvironmentValueClearsTheFilesAdminToken() throws Exception {
        Path file = yaml("auth:\n  admin_token: file-token\n");
        assertThat(ConfigLoader.load(file, Map.of()).adminToken()).isEqualTo("file-token");
        assertThat(ConfigLoader.load(file, Map.of("TOPICS_ADMIN_TOKEN", "")).adminToken()).isNull();
    }

    @Test
    void topicsConfigNamesTheFileWhenNoneIsGiven() throws Exception {
        Path file = yaml("port: 4444\n");
        assertThat(ConfigLoader.load(null, Map.of("TOPICS_CONFIG", file.toString())).port()).isEqualTo(4444);
    }

    @Test
    void clusterKeysComeFromTheFileAndTheEnvironmentAndBadOnesAreRefused() throws Exception {
        assertThat(ConfigLoader.load(null, Map.of()).cluster().enabled()).isFalse();
        Path file = yaml("""
                cluster:
                  kafka:
                    bootstrap_servers: k1:9092,k2:9092
                    log_topic: shop-log
                    replication_factor: 3
                    min_insync_replicas: 2
                    retention_ms: 86400000
                    snapshot_interval_ms: 600000
                    write_timeout_ms: 2000
                    session_timeout_ms: 6000
                """);
        assertThat(ConfigLoader.load(file, Map.of()).cluster()).isEqualTo(
                new ServerConfig.Cluster("k1:9092,k2:9092", "shop-log", 3, 2, 86_400_000L, 600_000L, 2000, 6000));
        ServerConfig.Cluster env = ConfigLoader.load(file, Map.of("TOPICS_CLUSTER_KAFKA_BOOTSTRAP_SERVERS",
                "127.0.0.1:39092", "TOPICS_CLUSTER_KAFKA_LOG_TOPIC", "other")).cluster();
        assertThat(env.bootstrapServers()).isEqualTo("127.0.0.1:39092");
        assertThat(env.logTopic()).isEqualTo("other");
        assertThat(env.enabled()).isTrue();
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("TOPICS_CLUSTER_KAFKA_BOOTSTRAP_SERVERS", "no-port")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.kafka.bootstrap_servers");
        assertThatThrownBy(() -> ConfigLoader.load(yaml("cluster:\n  kafka:\n    session_timeout_ms: 10\n"),
                Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("cluster.kafka.session_timeout_ms");
        assertThatThrownBy(() -> ConfigLoader.load(yaml("cluster:\n  kafka:\n    snapshot_interval_ms: 10\n"),
                Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("cluster.kafka.snapshot_interval_ms");
        assertThat(ConfigLoader.load(null, Map.of("TOPICS_CLUSTER_KAFKA_SNAPSHOT_INTERVAL_MS", "0")).cluster()
                .snapshotIntervalMs()).isZero();
        assertThatThrownBy(() -> ConfigLoader.load(yaml("cluster:\n  kafka:\n    log_topic: \"a b\"\n"),
                Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("cluster.kafka.log_topic");
    }

    @Test
    void anExplicitFileBeatsTopicsConfig() throws Exception {
        Path file = yaml("port: 4444\n");
        Path other = dir.resolve("other.yaml");
        Files.writeString(other, "port: 5555\n");
        assertThat(ConfigLoader.load(file, Map.of("TOPICS_CONFIG", other.toString())).port()).isEqualTo(4444);
    }

    @Test
    void aFileNeedsNoYamlSuffix() throws Exception {
        Path file = dir.resolve("topics.conf");
        Files.writeString(file, "port: 4001\n");
        assertThat(ConfigLoader.load(file, Map.of()).port()).isEqualTo(4001);
    }

    @Test
    void scalarsAreKeptExactlyAsWrittenNotRetypedByYaml11() throws Exception {
        // YAML 1.1 would read 0755 as octal 493 and 0x1F as 31: a token must stay as typed.
        Path file = yaml("node_id: 0x1F\nauth:\n  admin_token: 0755\n");
        ServerConfig config = ConfigLoader.load(file, Map.of());
        assertThat(config.adminToken()).isEqualTo("0755");
        assertThat(config.nodeId()).isEqualTo("0x1F");
    }

    @Test
    void quotedNumbersAndNullNodeIdAreAccepted() throws Exception {
        ServerConfig config = ConfigLoader.load(yaml("port: \"4001\"\nnode_id: null\n"), Map.of());
        assertThat(config.port()).isEqualTo(4001);
        assertThat(config.nodeId()).isNull();
    }

    @Test
    void toStringNeverShowsTheAdminToken() throws Exception {
        ServerConfig config = ConfigLoader.load(null, Map.of("TOPICS_ADMIN_TOKEN", "hunter2-secret"));
        assertThat(config.adminToken()).isEqualTo("hunter2-secret");
        assertThat(config.toString()).doesNotContain("hunter2").contains("adminToken=(set)");
    }

    @Test
    void authModeWireNamesRoundTrip() {
        for (AuthMode mode : AuthMode.values()) {
            assertThat(AuthMode.fromWire(mode.wire())).contains(mode);
        }
        assertThat(AuthMode.fromWire("AUTO")).isEmpty();
    }

    // ---- refusals -----------------------------------------------------------------------

    /**
     * A bad value for one key, a line each: what | the key | its value as written in YAML |
     * a fragment the message must contain. The file holds just that key, and the error
     * names it.
     */
    private static final String BAD_VALUES = """
            a typo is suggested            | prot                                 | 4000 | (did you mean "port"?)
            unknown nested key             | limits.max_bodybytes                 | 5 | unknown config key "limits.max_bodybytes"
            a key in the wrong section     | max_json_depth                       | 3 | (did you mean "limits.max_json_depth"?)
            string for an integer, message | storage.segment_bytes                | abc | ): expected an integer >= 4096, got "abc"
            fraction for an integer        | port                                 | 40.5 | got "40.5"
            hex for an integer             | port                                 | 0x10 | expected an integer from 0 to 65535
            integer beyond 64 bits         | storage.tail_bytes                   | 99999999999999999999 | (too large)
            list for a scalar              | bind                                 | [a, b] | expected a single value, got a list
            scalar for a section           | limits                               | 5 | expected a section of keys
            yes is not a boolean           | topic_defaults.durable               | yes | expected true or false, got "yes"
            port above range               | port                                 | 65536 | from 0 to 65535, got "65536"
            negative port                  | port                                 | -1 | from 0 to 65535
            segment too small              | storage.segment_bytes                | 4095 | >= 4096
            wal file too small             | storage.wal_file_bytes               | 100 | >= 4096
            index interval too small       | storage.index_interval_bytes         | 63 | from 64 to
            negative tail                  | storage.tail_bytes                   | -1 | non-negative integer
            zero flush delay               | storage.async_flush_ms               | 0 | positive integer
            zero snapshot interval         | storage.snapshot_interval_ms         | 0 | positive integer
            negative open segments         | storage.max_open_segments            | -1 | from 0 to 1000000
            too many open segments         | storage.max_open_segments            | 1000001 | from 0 to 1000000
            zero snapshot wal bytes        | storage.snapshot_wal_bytes           | 0 | positive integer
            zero total auth failures       | auth.failures_per_minute_total       | 0 | from 1 to 1000000000
            zero header timeout            | http.header_timeout_ms               | 0 | from 1 to 3600000
            body timeout over a day        | http.body_timeout_ms                 | 86400001 | from 1 to 86400000
            zero connections               | http.max_connections                 | 0 | from 1 to 1000000
            zero streams                   | http.max_streams_per_principal       | 0 | from 1 to 1000000
            zero body limit                | limits.max_body_bytes                | 0 | from 1 to 2147483647
            body limit beyond an array     | limits.max_body_bytes                | 2147483648 | from 1 to 2147483647
            zero record limit              | limits.max_record_bytes              | 0 | from 1 to
            too many records per write     | limits.max_records_per_write         | 1000001 | from 1 to 1000000
            json depth zero                | limits.max_json_depth                | 0 | from 1 to 1024
            json depth too deep            | limits.max_json_depth                | 1025 | from 1 to 1024
            zero tag bytes                 | limits.max_tag_bytes                 | 0 | from 1
            negative ttl                   | topic_defaults.ttl_ms                | -5 | non-negative
            negative cap                   | topic_defaults.cap_bytes             | -1 | non-negative
            negative window                | topic_defaults.idempotency_window_ms | -1 | non-negative
            node id with a space           | node_id                              | "my node" | [A-Za-z0-9._:-]
            node id not ascii              | node_id                              | nöde | got "nöde"
            empty bind                     | bind                                 | "" | expected a host name or IP address
            bind with a space              | bind                                 | "local host" | got "local host"
            empty data dir                 | data_dir                             | "" | expected a directory path
            """;

    /** (what, file content or null for none, env, key expected in the error, message fragment) */
    static Stream<Arguments> badInputs() {
        return Stream.concat(BAD_VALUES.lines().map(ConfigLoaderTest::badValue), Stream.of(
                bad("unknown top-level key", "prot: 4000\n", Map.of(), "prot",
                        "unknown config key \"prot\" in "),
                bad("unknown section", "tracing:\n  enabled: true\n", Map.of(), "tracing",
                        "unknown config key \"tracing\""),
                bad("string for an integer", "storage:\n  segment_bytes: abc\n", Map.of(), "storage.segment_bytes",
                        "config key storage.segment_bytes (in "),
                bad("empty value for an integer", "port:\n", Map.of(), "port", "got an empty value"),
                bad("map for a scalar", "port:\n  number: 1\n", Map.of(), "port",
                        "expected a single value, got a section of keys"),
                bad("list for a section", "auth:\n  - mode\n", Map.of(), "auth",
                        "expected a section of keys, got a list"),
                bad("bad discard", "topic_defaults:\n  discard: OLD\n", Map.of(), "topic_defaults.discard",
                        "expected one of old|new, got \"OLD\""),
                bad("bad durability", "topic_defaults:\n  durability: sync\n", Map.of(),
                        "topic_defaults.durability", "expected one of fsync|async"),
                bad("bad auth mode", "auth:\n  mode: on\n", Map.of(), "auth.mode",
                        "expected one of auto|required|disabled, got \"on\""),
                bad("node id too long", "node_id: " + "n".repeat(65) + "\n", Map.of(), "node_id", "1-64"),
                bad("duplicate key", "port: 1\nport: 2\n", Map.of(), null, "duplicate key port"),
                bad("invalid YAML", "port: [1, 2\nbind: x\n", Map.of(), null, "not valid YAML:"),
                bad("invalid YAML names the line", "auth:\n  mode: auto\n    x: 1\n", Map.of(), null, "(line 3, "),
                bad("tab indentation", "auth:\n\tmode: auto\n", Map.of(), null, "not valid YAML:"),
                bad("top level not a map", "- port\n- bind\n", Map.of(), null,
                        "expected a map of keys at the top level, got a list"),
                bad("dotted key", "limits.max_json_depth: 7\n", Map.of(), null,
                        "key \"limits.max_json_depth\": a key may not contain '.'"),
                bad("undefined alias", "port: *p\n", Map.of(), null, "found undefined alias p"),
                bad("two documents", "port: 1\n---\nport: 2\n", Map.of(), null, "expected a single document"),
                bad("env names the variable", null, Map.of("TOPICS_PORT", "abc"), "port",
                        "config key port (from environment variable TOPICS_PORT): expected an integer"),
                bad("empty env port", null, Map.of("TOPICS_PORT", ""), "port", "TOPICS_PORT"),
                bad("env auth mode", null, Map.of("TOPICS_AUTH", "maybe"), "auth.mode", "TOPICS_AUTH"),
                bad("env node id", null, Map.of("TOPICS_NODE_ID", "a/b"), "node_id", "TOPICS_NODE_ID"),
                bad("env bind", null, Map.of("TOPICS_BIND", " "), "bind", "TOPICS_BIND"),
                bad("env boolean", null, Map.of("TOPICS_DEFAULT_PUBLIC_PUBLISH", "1"),
                        "topic_defaults.public_publish", "TOPICS_DEFAULT_PUBLIC_PUBLISH"),
                bad("env alias boolean", null, Map.of("PINGD_DEFAULT_PUBLIC_READ", "yes"),
                        "topic_defaults.public_read", "from environment variable PINGD_DEFAULT_PUBLIC_READ"),
                bad("empty TOPICS_CONFIG", null, Map.of("TOPICS_CONFIG", ""), "TOPICS_CONFIG",
                        "TOPICS_CONFIG is empty")));

    }

    /** A line of {@link #BAD_VALUES} as the arguments of {@link #aBadInputIsRefusedNamingTheKey}. */
    private static Arguments badValue(String line) {
        String[] cell = line.split("\\|", -1);
        String key = cell[1].strip();
        String value = cell[2].strip();
        int dot = key.indexOf('.');
        String yaml = dot < 0 ? key + ": " + value + "\n"
                : key.substring(0, dot) + ":\n  " + key.substring(dot + 1) + ": " + value + "\n";
        return bad(cell[0].strip(), yaml, Map.of(), key, cell[3].strip());
    }

    private static Arguments bad(String what, String yaml, Map<String, String> env, String key, String fragment) {
        return arguments(what, yaml, env, key, fragment);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void aBadInputIsRefusedNamingTheKey(String what, String content, Map<String, String> env,
            String key, String fragment) throws IOException {
        Path file = content == null ? null : yaml(content);
        String expectedKey = key != null ? key : file.toString();
        assertThatThrownBy(() -> ConfigLoader.load(file, env))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(fragment)
                .hasMessageNotContaining("\n")
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo(expectedKey))
                .satisfies(e -> {
                    if (key == null) {
                        assertThat(e).hasMessageStartingWith("config file " + file + ": ");
                    }
                });
    }

    @Test
    void aMissingFileIsRefusedNamingThePath() {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(missing, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config file " + missing + ": not found")
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo(missing.toString()));
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("TOPICS_CONFIG", missing.toString())))
                .hasMessage("config file " + missing + ": not found");
    }

    @Test
    void aDirectoryIsNotAConfigFile() {
        assertThatThrownBy(() -> ConfigLoader.load(dir, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config file " + dir + ": not a regular file");
    }

    @Test
    void aBadAdminTokenIsRefusedWithoutEchoingIt() throws IOException {
        Path file = yaml("auth:\n  admin_token: \"secret with space\"\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("config key auth.admin_token")
                .hasMessageNotContaining("secret");
    }

    // ---- the documented file ----------------------------------------------------------

    private static final Pattern KEY_LINE = Pattern.compile("^( *)([a-z_]+):");
    private static final Pattern COMMENT_LINE = Pattern.compile("^( *)# \\S.*");

    @Test
    void everyKeyInEtcTopicsYamlHasACommentLineRightAboveIt() throws IOException {
        List<String> lines = Files.readAllLines(repoFile());
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher key = KEY_LINE.matcher(lines.get(i));
            if (!key.find()) {
                continue;
            }
            keys.add(key.group(2));
            assertThat(i).as("key %s on line %d has no line above it", key.group(2), i + 1).isPositive();
            Matcher comment = COMMENT_LINE.matcher(lines.get(i - 1));
            assertThat(comment.matches())
                    .as("line %d (%s) needs a one-line comment right above it", i + 1, lines.get(i).strip())
                    .isTrue();
            assertThat(comment.group(1)).as("comment above line %d is indented like its key", i + 1)
                    .isEqualTo(key.group(1));
            assertThat(lines.get(i)).as("line %d: comments go above keys, not after them", i + 1)
                    .doesNotContain(" #");
        }
        assertThat(keys).hasSize(4 + 1 + 4 + 1 + 5 + 1 + 10 + 1 + 4 + 1 + 1 + 1 + 1 + 1 + 11
                + 1 + 4 + 1 + 1
                + 1 + 1 + 8
                + 1 + 3);   // 56 leaves + 12 sections (watch: 4, http: 4, cors: 1, cluster.kafka: 8, log: 3)
    }

    /** etc/topics.yaml at the repo root; surefire runs in the project directory. */
    private static Path repoFile() {
        Path file = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "etc", "topics.yaml");
        assertThat(file).exists();
        return file;
    }

    /** The operator's reference is etc/topics.yaml plus README's list of variables: both name every variable read. */
    @Test
    void everyEnvironmentVariableIsDocumentedInTheReadmeAndTheDefaultFile() throws Exception {
        String readme = java.nio.file.Files.readString(Path.of("README.md"));
        String yaml = java.nio.file.Files.readString(Path.of("etc/topics.yaml"));
        assertThat(readme).contains("etc/topics.yaml").contains(ConfigLoader.CONFIG_FILE_ENV);
        for (ConfigLayers.EnvOverride o : ConfigLoader.ENV) {
            for (String name : o.variables()) {
                assertThat(readme).as("README names %s", name).contains("`" + name + "`");
                if (name.startsWith("TOPICS_")) {
                    assertThat(yaml).as("etc/topics.yaml names %s", name).contains(name);
                }
            }
        }
    }
}
