package dev.topics.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Token values and ids, and the SHA-256 hashes tokens are kept and compared as: the admin
 * token ({@code tpk_}), principal tokens ({@code tpk_}) and share tokens ({@code tk_}).
 */
final class Tokens {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {
    }

    /** A new random token with a prefix ({@code tpk_}, {@code tk_}): 192 random bits, base64url. */
    static String newToken(String prefix) {
        byte[] r = new byte[24];
        RANDOM.nextBytes(r);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(r);
    }

    /** A new id with a prefix ({@code perm_}, {@code sh_}, {@code tok_}): 96 random bits. */
    static String newId(String prefix) {
        byte[] r = new byte[12];
        RANDOM.nextBytes(r);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(r);
    }

    static String sha256Hex(String s) {
        return HexFormat.of().formatHex(sha256(s));
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
