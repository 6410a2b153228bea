package dev.topics.config;

import dev.topics.storage.TopicConfig;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.spi.ConfigSource;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Reads and validates the server configuration (SPEC §1).
 *
 * <p>Layers, highest first: the environment overrides below → the user's file (the
 * {@code file} argument, else {@code TOPICS_CONFIG}) → the embedded {@code topics.yaml},
 * which is {@code etc/topics.yaml} copied onto the classpath. The embedded file is the
 * schema: a user key it does not hold is an error, never silently ignored, and every
 * value, the defaults included, goes through the same checks. Each failure is a
 * {@link ConfigException} whose one-line message names the key and where the bad value
 * came from.
 *
 * <p>Only the environment variables listed in {@link #ENV} are read, each mapped to one
 * key (not Helidon's generic {@code A_B} → {@code a.b} mapping, nor system properties). A
 * variable that is set counts even when empty: {@code TOPICS_ADMIN_TOKEN=} clears a
 * token from the file, {@code TOPICS_PORT=} is an error.
 *
 * <p>Stateless; safe to call from any thread.
 */
public final class ConfigLoader {

    /** The embedded defaults, a classpath resource. */
    static final String DEFAULTS_RESOURCE = "topics.yaml";
    /** Names the config file when {@link #load}'s {@code file} is null. */
    static final String CONFIG_FILE_ENV = "TOPICS_CONFIG";

    /** The environment variables read (SPEC §1), each mapped explicitly to one key. */
    static final List<ConfigLayers.EnvOverride> ENV = List.of(
            new ConfigLayers.EnvOverride("bind", List.of("TOPICS_BIND")),
            new ConfigLayers.EnvOverride("port", List.of("TOPICS_PORT")),
            new ConfigLayers.EnvOverride("data_dir", List.of("TOPICS_DATA_DIR")),
            new ConfigLayers.EnvOverride("node_id", List.of("TOPICS_NODE_ID")),
            new ConfigLayers.EnvOverride("auth.mode", List.of("TOPICS_AUTH")),
            new ConfigLayers.EnvOverride("auth.admin_token", List.of("TOPICS_ADMIN_TOKEN")),
            new ConfigLayers.EnvOverride("topic_defaults.public_read",
                    List.of("TOPICS_DEFAULT_PUBLIC_READ", "PINGD_DEFAULT_PUBLIC_READ")),
            new ConfigLayers.EnvOverride("topic_defaults.public_publish",
                    List.of("TOPICS_DEFAULT_PUBLIC_PUBLISH", "PINGD_DEFAULT_PUBLIC_PUBLISH")),
            new ConfigLayers.EnvOverride("cors.allowed_origins", List.of("TOPICS_CORS_ALLOWED_ORIGINS")),
            new ConfigLayers.EnvOverride("cluster.kafka.bootstrap_servers",
                    List.of("TOPICS_CLUSTER_KAFKA_BOOTSTRAP_SERVERS")),
            new ConfigLayers.EnvOverride("cluster.kafka.log_topic", List.of("TOPICS_CLUSTER_KAFKA_LOG_TOPIC")),
            new ConfigLayers.EnvOverride("log.format", List.of("TOPICS_LOG_FORMAT")),
            new ConfigLayers.EnvOverride("log.level", List.of("TOPICS_LOG_LEVEL")),
            new ConfigLayers.EnvOverride("cluster.kafka.snapshot_interval_ms",
                    List.of("TOPICS_CLUSTER_KAFKA_SNAPSHOT_INTERVAL_MS")));

    /** The keys whose value may be a YAML list in the user's file (read as one comma-separated string). */
    static final Set<String> LIST_KEYS = Set.of("cors.allowed_origins");
    /** One allowed origin: a scheme, {@code ://}, and a host with an optional port; nothing after. */
    private static final Pattern ORIGIN = Pattern.compile("[a-z][a-z0-9+.-]*://[^/?#@\\s]+");

    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Pattern BOOTSTRAP = Pattern.compile("[A-Za-z0-9._\\[\\]:-]+:\\d{1,5}(,[A-Za-z0-9._\\[\\]:-]+:\\d{1,5})*");
    private static final Pattern KAFKA_TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    /** Java arrays (and so request buffers) stop at this size. */
    private static final long MAX_BUFFER = Integer.MAX_VALUE;

    private ConfigLoader() {
    }

    /**
     * Loads the configuration.
     *
     * @param file the config file, or null to use {@code TOPICS_CONFIG} from {@code env}
     *             (and when that is unset too, the embedded defaults alone)
     * @param env  the environment, normally {@code System.getenv()}
     * @throws ConfigException a missing or unparsable file, an unknown key, a value of the
     *                         wrong type or out of its range
     */
    public static ServerConfig load(Path file, Map<String, String> env) throws ConfigException {
        Objects.requireNonNull(env, "env");
        Config defaults = readDefaults();
        Path userFile = file != null ? file : configFileFromEnv(env);
        Config user = null;
        if (userFile != null) {
            user = readFile(userFile);
            checkKeys(user, defaults, defaults, "in " + userFile);
        }
        ConfigLayers layers = new ConfigLayers(defaults, user, userFile, env, ENV);
        ServerConfig config = build(layers);
        layers.checkAllDefaultsRead();
        return config;
    }

    private static ServerConfig build(ConfigLayers in) throws ConfigException {
        String bind = in.get("bind").require(
                s -> !s.isEmpty() && s.chars().noneMatch(Character::isWhitespace),
                "expected a host name or IP address");
        int port = (int) in.get("port").integer(0, 65_535);
        Path dataDir = in.get("data_dir").path();
        String nodeId = in.get("node_id").require(s -> s.isEmpty() || NODE_ID.matcher(s).matches(),
                "expected \"\" or 1-64 characters of [A-Za-z0-9._:-]");
        AuthMode authMode = in.get("auth.mode").choice(AuthMode::fromWire, "auto|required|disabled");
        String adminToken = in.get("auth.admin_token").secret();
        long failuresPerMinute = in.get("auth.failures_per_minute").integer(1, 1_000_000);
        long failuresPerMinuteTotal = in.get("auth.failures_per_minute_total").integer(1, 1_000_000_000);

        ServerConfig.Limits limits = new ServerConfig.Limits(
                in.get("limits.max_body_bytes").integer(1, MAX_BUFFER),
                in.get("limits.max_record_bytes").integer(1, MAX_BUFFER),
                (int) in.get("limits.max_records_per_write").integer(1, 1_000_000),
                (int) in.get("limits.max_json_depth").integer(1, 1024),
                (int) in.get("limits.max_tag_bytes").integer(1, 65535));

        ServerConfig.StorageSettings storage = new ServerConfig.StorageSettings(
                in.get("storage.async_flush_ms").integer(1, Long.MAX_VALUE),
                in.get("storage.segment_bytes").integer(4096, Long.MAX_VALUE),
                in.get("storage.wal_file_bytes").integer(4096, Long.MAX_VALUE),
                (int) in.get("storage.index_interval_bytes").integer(64, Integer.MAX_VALUE),
                in.get("storage.tail_bytes").integer(0, Long.MAX_VALUE),
                in.get("storage.snapshot_interval_ms").integer(1, Long.MAX_VALUE),
                in.get("storage.snapshot_wal_bytes").integer(1, Long.MAX_VALUE),
                in.get("storage.compaction_interval_ms").integer(1, Long.MAX_VALUE),
                (int) in.get("storage.max_open_segments").integer(0, 1_000_000),
                in.get("storage.disk_reserve_bytes").integer(0, Long.MAX_VALUE));

        TopicConfig topicDefaults = new TopicConfig(
                in.get("topic_defaults.ttl_ms").integer(0, Long.MAX_VALUE),
                in.get("topic_defaults.cap_records").integer(0, Long.MAX_VALUE),
                in.get("topic_defaults.cap_bytes").integer(0, Long.MAX_VALUE),
                in.get("topic_defaults.discard").choice(ConfigLoader::discard, "old|new"),
                in.get("topic_defaults.durable").bool(),
                in.get("topic_defaults.durability").choice(ConfigLoader::durability, "fsync|async"),
                in.get("topic_defaults.auto_create").bool(),
                in.get("topic_defaults.idempotency_window_ms").integer(0, Long.MAX_VALUE),
                in.get("topic_defaults.dedupe_node").bool(),
                in.get("topic_defaults.public_read").bool(),
                in.get("topic_defaults.public_publish").bool());

        ServerConfig.Watch watch = new ServerConfig.Watch(in.get("watch.session_ttl_ms").integer(1, Long.MAX_VALUE),
                in.get("watch.stall_ms").integer(1, Long.MAX_VALUE),
                in.get("watch.stream_long_poll_ms").integer(100, 20_000),
                in.get("watch.stream_sse_ms").integer(1_000, 3_600_000));

        ServerConfig.Webhooks webhooks = new ServerConfig.Webhooks(in.get("webhooks.allow_private").choice(
                v -> switch (v) {
                    case "auto" -> Optional.of(Optional.<Boolean>empty());
                    case "true" -> Optional.of(Optional.of(true));
                    case "false" -> Optional.of(Optional.of(false));
                    default -> Optional.<Optional<Boolean>>empty();
                }, "auto|true|false").orElse(null));

        ServerConfig.Http http = new ServerConfig.Http(
                in.get("http.header_timeout_ms").integer(1, 3_600_000),
                in.get("http.body_timeout_ms").integer(1, 86_400_000),
                (int) in.get("http.max_connections").integer(1, 1_000_000),
                (int) in.get("http.max_streams_per_principal").integer(1, 1_000_000));

        ServerConfig.Cluster cluster = new ServerConfig.Cluster(
                in.get("cluster.kafka.bootstrap_servers").require(s -> s.isEmpty() || BOOTSTRAP.matcher(s).matches(),
                        "expected \"\" or host:port[,host:port...]"),
                in.get("cluster.kafka.log_topic").require(s -> KAFKA_TOPIC.matcher(s).matches(),
                        "expected 1-200 characters of [A-Za-z0-9._-]"),
                (int) in.get("cluster.kafka.replication_factor").integer(0, 32),
                (int) in.get("cluster.kafka.min_insync_replicas").integer(0, 32),
                in.get("cluster.kafka.retention_ms").integer(-1, Long.MAX_VALUE),
                shareInterval(in.get("cluster.kafka.snapshot_interval_ms")),
                in.get("cluster.kafka.write_timeout_ms").integer(100, 600_000),
                in.get("cluster.kafka.session_timeout_ms").integer(6_000, 300_000));

        return new ServerConfig(bind, port, dataDir, emptyToNull(nodeId), authMode,
                adminToken, (int) failuresPerMinute, (int) failuresPerMinuteTotal, limits, storage, topicDefaults, watch, webhooks,
                in.get("metrics.public").bool(), http, new ServerConfig.Cors(origins(in.get("cors.allowed_origins"))),
                cluster, new ServerConfig.Log(
                        in.get("log.format").choice(f -> java.util.Optional.ofNullable(
                                f.equals("json") ? Boolean.TRUE : f.equals("text") ? Boolean.FALSE : null), "text|json"),
                        in.get("log.level").choice(ConfigLoader::logLevel, "error|warn|info|debug"),
                        in.get("log.access").bool()));
    }

    private static java.util.Optional<java.util.logging.Level> logLevel(String s) {
        return java.util.Optional.ofNullable(switch (s) {
            case "error" -> java.util.logging.Level.SEVERE;
            case "warn" -> java.util.logging.Level.WARNING;
            case "info" -> java.util.logging.Level.INFO;
            case "debug" -> java.util.logging.Level.FINE;
            default -> null;
        });
    }

    /** {@code cluster.kafka.snapshot_interval_ms}: 0 (never) or at least a second. */
    private static long shareInterval(ConfigLayers.Value v) throws ConfigException {
        long ms = v.integer(0, Long.MAX_VALUE);
        if (ms > 0 && ms < 1000) {
            throw v.error("expected 0 (never share) or at least 1000, got " + ms);
        }
        return ms;
    }

    /**
     * {@code cors.allowed_origins}: comma-separated origins, or {@code *} alone. An origin is
     * what a browser sends in {@code Origin}: no path, no trailing slash; compared in lower case.
     */
    private static List<String> origins(ConfigLayers.Value v) throws ConfigException {
        List<String> origins = new ArrayList<>();
        if (v.raw().isBlank()) {
            return origins;
        }
        for (String part : v.raw().split(",", -1)) {
            String o = part.strip().toLowerCase(Locale.ROOT);
            if (o.isEmpty()) {
                throw v.error("expected origins separated by commas, got an empty entry");
            }
            if (!o.equals("*") && !ORIGIN.matcher(o).matches()) {
                throw v.error("expected origins like https://app.example.com or *, got " + ConfigLayers.quote(part.strip())
                        + " (no path, no trailing slash)");
            }
            if (!origins.contains(o)) {
                origins.add(o);
            }
        }
        if (origins.contains("*") && origins.size() > 1) {
            throw v.error("expected * alone or a list of origins, got both");
        }
        return origins;
    }

    // ---- reading the two YAML layers -------------------------------------------------

    private static Config readDefaults() throws ConfigException {
        if (ConfigLoader.class.getClassLoader().getResource(DEFAULTS_RESOURCE) == null) {
            throw new ConfigException(DEFAULTS_RESOURCE, "embedded defaults " + DEFAULTS_RESOURCE
                    + " are missing from the classpath; rebuild topics (mvn package)");
        }
        try {
            return helidon(ConfigSources.classpath(DEFAULTS_RESOURCE).parser(new StrictYamlParser()));
        } catch (RuntimeException e) {
            throw new ConfigException(DEFAULTS_RESOURCE,
                    "embedded defaults " + DEFAULTS_RESOURCE + ": " + reason(e), e);
        }
    }

    private static Path configFileFromEnv(Map<String, String> env) throws ConfigException {
        String value = env.get(CONFIG_FILE_ENV);
        if (value == null) {
            return null;
        }
        if (value.isEmpty()) {
            throw new ConfigException(CONFIG_FILE_ENV, "environment variable " + CONFIG_FILE_ENV
                    + " is empty: unset it or set it to a config file's path");
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new ConfigException(CONFIG_FILE_ENV, "environment variable " + CONFIG_FILE_ENV
                    + ": not a valid path: " + ConfigLayers.quote(value), e);
        }
    }

    private static Config readFile(Path file) throws ConfigException {
        String name = file.toString();
        if (!Files.exists(file)) {
            throw new ConfigException(name, "config file " + name + ": not found");
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(name, "config file " + name + ": not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw new ConfigException(name, "config file " + name + ": not readable (permissions)");
        }
        try {
            return helidon(ConfigSources.file(file).parser(new StrictYamlParser()));
        } catch (RuntimeException e) {
            throw new ConfigException(name, "config file " + name + ": " + reason(e), e);
        }
    }

    /** One source alone: no environment, system properties, ${} resolving or filters. */
    private static Config helidon(Supplier<? extends ConfigSource> source) {
        return Config.builder()
                .sources(source)
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .disableParserServices()
                .disableFilterServices()
                .disableValueResolving()
                .disableKeyResolving()
                .build();
    }

    /** The parser's one-line reason, else the deepest message Helidon wrapped. */
    private static String reason(Throwable e) {
        String deepest = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StrictYamlParser.Unusable) {
                return t.getMessage();
            }
            if (t.getMessage() != null) {
                deepest = t.getMessage();
            }
        }
        return "cannot be read: " + StrictYamlParser.oneLine(deepest);
    }

    // ---- the schema check -------------------------------------------------------------

    /**
     * Every key in {@code user} must exist in {@code section} of the defaults with the same shape: a
     * section where a section is, a single value where a value is. An empty value where a
     * section belongs ({@code limits:} with all its keys commented out) is an empty section.
     */
    private static void checkKeys(Config user, Config section, Config schema, String where)
            throws ConfigException {
        for (Config node : user.asNodeList().orElse(List.of())) {
            String key = node.key().toString();
            Config known = section.get(node.name());
            if (!known.exists()) {
                throw new ConfigException(key, "unknown config key " + ConfigLayers.quote(key) + " " + where
                        + suggestion(key, schema));
            }
            boolean isSection = known.type() == Config.Type.OBJECT;
            switch (node.type()) {
                case OBJECT -> {
                    if (!isSection) {
                        throw shape(key, where, "expected a single value, got a section of keys");
                    }
                    checkKeys(node, known, schema, where);
                }
                case LIST -> {
                    if (!isSection && LIST_KEYS.contains(key)
                            && node.asNodeList().orElse(List.of()).stream().allMatch(c -> c.type() == Config.Type.VALUE)) {
                        continue;
                    }
                    throw shape(key, where, isSection
                        ? "expected a section of keys, got a list"
                        : "expected a single value, got a list");
                }
                default -> {
                    if (isSection && !node.asString().orElse("").isEmpty()) {
                        throw shape(key, where, "expected a section of keys, got the value "
                                + ConfigLayers.quote(node.asString().orElse("")));
                    }
                }
            }
        }
    }

    private static ConfigException shape(String key, String where, String problem) {
        return new ConfigException(key, "config key " + key + " (" + where + "): " + problem);
    }

    /** " (did you mean "x"?)" for a near miss or the same name in another section, else "". */
    private static String suggestion(String unknown, Config schema) {
        List<String> known = schema.traverse().map(c -> c.key().toString()).toList();
        String leaf = unknown.substring(unknown.lastIndexOf('.') + 1);
        String best = null;
        int bestDistance = 3;                   // suggest only near misses: at most 2 edits
        for (String candidate : known) {
            int d = distance(unknown, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        if (best == null) {
            for (String candidate : known) {
                if (candidate.endsWith("." + leaf)) {
                    best = candidate;
                    break;
                }
            }
        }
        return best == null ? "" : " (did you mean " + ConfigLayers.quote(best) + "?)";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static Optional<TopicConfig.Discard> discard(String s) {
        return Arrays.stream(TopicConfig.Discard.values()).filter(d -> d.wire().equals(s)).findFirst();
    }

    private static Optional<TopicConfig.Durability> durability(String s) {
        return Arrays.stream(TopicConfig.Durability.values()).filter(d -> d.wire().equals(s)).findFirst();
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }
}
