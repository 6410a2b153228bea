package dev.topics.config;

import java.util.Optional;

/** The server's access-control mode (SPEC §11), {@code auth.mode} in the YAML. */
public enum AuthMode {
    /** Dev mode (no credentials) on a loopback bind, {@link #REQUIRED} otherwise. */
    AUTO,
    /** Every request outside {@code /healthz} and {@code /readyz} needs credentials. */
    REQUIRED,
    /** No credentials ever; every caller acts as admin. */
    DISABLED;

    /** The name used in YAML, environment variables and JSON: {@code auto|required|disabled}. */
    public String wire() {
        return switch (this) {
            case AUTO -> "auto";
            case REQUIRED -> "required";
            case DISABLED -> "disabled";
        };
    }

    /** The mode whose {@link #wire()} name is exactly {@code wire}, or empty. */
    public static Optional<AuthMode> fromWire(String wire) {
        for (AuthMode mode : values()) {
            if (mode.wire().equals(wire)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
