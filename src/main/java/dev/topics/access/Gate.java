package dev.topics.access;

import dev.topics.config.AuthMode;
import dev.topics.http.ApiError;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.logging.Logger;

/**
 * The one gate every handler passes (SPEC §11). Today it knows the admin only: in dev
 * mode ({@code auth: auto} on a loopback bind, or {@code disabled}) every caller acts as
 * admin; when auth is required, a request needs {@code Authorization: Bearer} with the
 * admin token (401 otherwise). Principals, permissions and share tokens plug in here.
 *
 * <p>Tokens are compared as SHA-256 hashes in constant time. When auth is required and no
 * admin token is configured, one is generated on first start, printed once, and only its
 * hash kept ({@code admin_token.sha256} in the data dir).
 */
public final class Gate {
    private static final Logger LOG = Logger.getLogger(Gate.class.getName());
    private static final String HASH_FILE = "admin_token.sha256";

    /** Who is asking. */
    public record Caller(String principal, boolean admin) {
        public static final Caller ADMIN = new Caller("admin", true);
    }

    private final boolean required;
    private final String effective;
    private final byte[] adminHash;

    private Gate(boolean required, String effective, byte[] adminHash) {
        this.required = required;
        this.effective = effective;
        this.adminHash = adminHash;
    }

    public static Gate create(AuthMode mode, String bind, String adminToken, Path dataDir) throws IOException {
        boolean loopback = isLoopback(bind);
        boolean required = mode == AuthMode.REQUIRED || (mode == AuthMode.AUTO && !loopback);
        if (mode == AuthMode.DISABLED && !loopback) {
            LOG.warning("auth is disabled on a non-loopback bind (" + bind + "): anyone who can reach it acts as admin");
        }
        if (!required) {
            return new Gate(false, mode == AuthMode.DISABLED ? "disabled" : "dev", null);
        }
        byte[] hash;
        if (adminToken != null) {
            hash = sha256(adminToken);
        } else {
            Path file = dataDir.resolve(HASH_FILE);
            if (Files.exists(file)) {
                hash = HexFormat.of().parseHex(Files.readString(file).trim());
            } else {
                byte[] r = new byte[24];
                new SecureRandom().nextBytes(r);
                String token = "tpk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(r);
                hash = sha256(token);
                Files.createDirectories(dataDir);
                Files.writeString(file, HexFormat.of().formatHex(hash) + "\n");
                System.out.println("generated admin token (shown once, keep it): " + token);
            }
        }
        return new Gate(true, "required", hash);
    }

    private static boolean isLoopback(String bind) {
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The mode in effect: {@code dev}, {@code required} or {@code disabled}. */
    public String mode() {
        return effective;
    }

    public Caller authenticate(ServerRequest req) {
        if (!required) {
            return Caller.ADMIN;
        }
        var auth = req.headers().first(HeaderNames.AUTHORIZATION);
        if (auth.isEmpty()) {
            throw new ApiError(401, "unauthorized", "credentials are required: send Authorization: Bearer <token>");
        }
        String v = auth.get();
        if (!v.regionMatches(true, 0, "Bearer ", 0, 7)
                || !MessageDigest.isEqual(sha256(v.substring(7).trim()), adminHash)) {
            throw new ApiError(401, "unauthorized", "the token is not valid");
        }
        return Caller.ADMIN;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
