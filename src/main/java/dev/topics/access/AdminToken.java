package dev.topics.access;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.logging.Logger;

/**
 * The admin token, kept only as its SHA-256 hash. Configured ({@code auth.admin_token}), it
 * is hashed at start; otherwise one is generated on first start, printed once, and only its
 * hash kept ({@code admin_token.sha256} in the data dir), which later starts read.
 */
final class AdminToken {
    /** The gate's logger, as before this was split out of it. */
    private static final Logger LOG = Logger.getLogger(Gate.class.getName());
    private static final String HASH_FILE = "admin_token.sha256";

    private final byte[] hash;

    private AdminToken(byte[] hash) {
        this.hash = hash;
    }

    /** The configured token ({@code configured}, may be null), or the one kept in (or made for) {@code dataDir}. */
    static AdminToken resolve(String configured, Path dataDir) throws IOException {
        if (configured != null) {
            if (configured.length() < 16) {
                // the throttle never refuses a valid token, so it does not protect a guessable one
                LOG.warning("auth.admin_token is shorter than 16 characters: use a long random value");
            }
            return new AdminToken(Tokens.sha256(configured));
        }
        Path file = dataDir.resolve(HASH_FILE);
        if (Files.exists(file)) {
            return new AdminToken(HexFormat.of().parseHex(Files.readString(file).trim()));
        }
        String token = Tokens.newToken("tpk_");
        byte[] hash = Tokens.sha256(token);
        Files.createDirectories(dataDir);
        Files.writeString(file, HexFormat.of().formatHex(hash) + "\n");
        System.out.println("generated admin token (shown once, keep it): " + token);
        return new AdminToken(hash);
    }

    /** True when {@code tokenHash} is this token's hash (compared in constant time). */
    boolean matches(byte[] tokenHash) {
        return MessageDigest.isEqual(tokenHash, hash);
    }
}
