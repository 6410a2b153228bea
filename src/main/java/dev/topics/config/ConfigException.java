package dev.topics.config;

import java.io.Serial;

/**
 * An invalid configuration: its message is one line naming the key (or the file, or the
 * environment variable) at fault, fit to print as-is before exiting with code 2.
 */
public final class ConfigException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String key;

    public ConfigException(String key, String message) {
        super(message);
        this.key = key;
    }

    public ConfigException(String key, String message, Throwable cause) {
        super(message, cause);
        this.key = key;
    }

    /**
     * The dotted config key at fault ({@code storage.segment_bytes}), or the config file's
     * path when the file itself is the problem, or an environment variable's name when no
     * key applies ({@code TOPICS_CONFIG}).
     */
    public String key() {
        return key;
    }
}
