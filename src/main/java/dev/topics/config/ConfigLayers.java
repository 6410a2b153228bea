package dev.topics.config;

import io.helidon.config.Config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The three layers of {@link ConfigLoader}, resolved one key at a time: environment →
 * user file → embedded defaults. Each {@link Value} remembers where it came from, so an
 * error names the key and its source ({@code from environment variable TOPICS_PORT},
 * {@code in /etc/topics.yaml}).
 *
 * <p>The embedded defaults are the schema: {@link #get} of a key they lack, or a default
 * key never read, is a build defect ({@link IllegalStateException}), not a user error.
 * One instance per load; not thread-safe.
 */
final class ConfigLayers {

    /** An environment override: the key, then the variables that set it; the first set wins. */
    record EnvOverride(String key, List<String> variables) {
    }

    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");

    private final Config defaults;
    private final Config user;
    private final Path userFile;
    private final Map<String, String> env;
    private final List<EnvOverride> overrides;
    private final Set<String> read = new LinkedHashSet<>();

    ConfigLayers(Config defaults, Config user, Path userFile, Map<String, String> env,
            List<EnvOverride> overrides) {
        this.defaults = defaults;
        this.user = user;
        this.userFile = userFile;
        this.env = env;
        this.overrides = overrides;
    }

    /** The effective raw value of a leaf key. */
    Value get(String key) {
        Config fallback = defaults.get(key);
        if (!fallback.exists() || fallback.type() != Config.Type.VALUE) {
            throw new IllegalStateException(
                    "embedded " + ConfigLoader.DEFAULTS_RESOURCE + " lacks the key " + key);
        }
        read.add(key);
        for (EnvOverride override : overrides) {
            if (override.key().equals(key)) {
                for (String variable : override.variables()) {
                    String value = env.get(variable);
                    if (value != null) {
                        return new Value(key, value, "from environment variable " + variable);
                    }
                }
            }
        }
        if (user != null) {
            Config node = user.get(key);
            if (node.exists() && node.type() == Config.Type.VALUE) {
                return new Value(key, node.asString().orElse(""), "in " + userFile);
            }
            if (node.exists() && node.type() == Config.Type.LIST) {
                // a list key (ConfigLoader.LIST_KEYS; the schema check refused lists elsewhere): one string
                List<String> items = node.asNodeList().orElse(List.of()).stream()
                        .map(c -> c.asString().orElse("")).toList();
                return new Value(key, String.join(",", items), "in " + userFile);
            }
        }
        return new Value(key, fallback.asString().orElse(""), "in the embedded defaults");
    }

    /** Every leaf of the embedded defaults must have been read: else the loader forgot a key. */
    void checkAllDefaultsRead() {
        List<String> unread = defaults.traverse()
                .filter(c -> c.type() == Config.Type.VALUE)
                .map(c -> c.key().toString())
                .filter(k -> !read.contains(k))
                .toList();
        if (!unread.isEmpty()) {
            throw new IllegalStateException("embedded " + ConfigLoader.DEFAULTS_RESOURCE
                    + " has keys the loader does not read: " + unread);
        }
    }

    /** {@code s} in double quotes, escaped and cut to 80 characters so a message stays one line. */
    static String quote(String s) {
        String shown = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        StringBuilder sb = new StringBuilder("\"");
        for (char c : shown.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || Character.isISOControl(c)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** One raw value and where it came from; each method parses it or fails naming both. */
    record Value(String key, String raw, String origin) {

        ConfigException error(String problem) {
            return new ConfigException(key, "config key " + key + " (" + origin + "): " + problem);
        }

        private String got() {
            return raw.isEmpty() ? "got an empty value" : "got " + quote(raw);
        }

        /** A decimal integer in [min, max]: no sign but '-', no '_', hex, octal or fraction. */
        long integer(long min, long max) throws ConfigException {
            String expected = max == Long.MAX_VALUE
                    ? (min == 0 ? "a non-negative integer" : min == 1 ? "a positive integer"
                            : "an integer >= " + min)
                    : "an integer from " + min + " to " + max;
            if (!INTEGER.matcher(raw).matches()) {
                throw error("expected " + expected + ", " + got());
            }
            long n;
            try {
                n = Long.parseLong(raw);
            } catch (NumberFormatException e) {
                throw error("expected " + expected + ", " + got() + " (too large)");
            }
            if (n < min || n > max) {
                throw error("expected " + expected + ", " + got());
            }
            return n;
        }

        /** {@code true} or {@code false}, nothing else ({@code yes}, {@code 1}, {@code True} are refused). */
        boolean bool() throws ConfigException {
            return switch (raw) {
                case "true" -> true;
                case "false" -> false;
                default -> throw error("expected true or false, " + got());
            };
        }

        <T> T choice(Function<String, Optional<T>> parse, String choices) throws ConfigException {
            Optional<T> v = parse.apply(raw);
            if (v.isEmpty()) {
                throw error("expected one of " + choices + ", " + got());
            }
            return v.get();
        }

        String require(Predicate<String> ok, String expected) throws ConfigException {
            if (!ok.test(raw)) {
                throw error(expected + ", " + got());
            }
            return raw;
        }

        Path path() throws ConfigException {
            if (raw.isEmpty()) {
                throw error("expected a directory path, got an empty value");
            }
            try {
                return Path.of(raw);
            } catch (InvalidPathException e) {
                throw error("expected a directory path, " + got() + " (" + e.getReason() + ")");
            }
        }

        /** A token: printable ASCII without spaces, or "" for none (null). Never echoed in an error. */
        String secret() throws ConfigException {
            for (int i = 0; i < raw.length(); i++) {
                char c = raw.charAt(i);
                if (c < 0x21 || c > 0x7e) {
                    throw error("expected printable ASCII without spaces (the value is not shown)");
                }
            }
            return raw.isEmpty() ? null : raw;
        }
    }
}
