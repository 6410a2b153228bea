package dev.topics.webhook;

import dev.topics.webhook.Receiver.Request;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A webhook receiver's check, written from the Standard Webhooks 1.0 specification
 * (https://www.standardwebhooks.com/) and independent of the server's {@code Signer}: the
 * three {@code webhook-*} headers must be there; the timestamp must be whole unix seconds
 * within 5 minutes of the receiver's clock; the key is the standard-base64 part of a
 * {@code whsec_} secret; the signature header is a space-separated list of
 * {@code <version>,<base64>} entries, and one {@code v1} entry must equal the HMAC-SHA256 of
 * {@code id.timestamp.body}, compared in constant time.
 *
 * <p>A receiver holding a plain secret (not {@code whsec_…}) gives the verifier
 * {@link #wrap}{@code (secret)}, as it would give a Standard Webhooks library.
 */
final class StandardWebhooksVerifier {
    static final Duration TOLERANCE = Duration.ofMinutes(5);

    /** Why a delivery was refused. */
    static final class Refused extends RuntimeException {
        Refused(String why) {
            super(why);
        }
    }

    private final byte[] key;

    /** @param whsecSecret {@code whsec_<standard base64>} */
    StandardWebhooksVerifier(String whsecSecret) {
        if (!whsecSecret.startsWith("whsec_")) {
            throw new IllegalArgumentException("not a whsec_ secret: wrap a plain secret first");
        }
        this.key = Base64.getDecoder().decode(whsecSecret.substring("whsec_".length()));
        if (key.length == 0) {
            throw new IllegalArgumentException("empty key");
        }
    }

    /** The {@code whsec_} form of a plain secret: its UTF-8 bytes, standard base64. */
    static String wrap(String plainSecret) {
        return "whsec_" + Base64.getEncoder().encodeToString(plainSecret.getBytes(StandardCharsets.UTF_8));
    }

    /** Verifies a received request at the receiver's clock now; throws {@link Refused} if it fails. */
    void verify(Request q) {
        verify(q.header("webhook-id"), q.header("webhook-timestamp"), q.header("webhook-signature"), q.body,
                System.currentTimeMillis() / 1000);
    }

    /** Verifies the parts of a delivery as received, at {@code nowSeconds}. */
    void verify(String id, String timestamp, String signatures, byte[] body, long nowSeconds) {
        if (id == null || timestamp == null || signatures == null) {
            throw new Refused("a webhook-* header is missing");
        }
        if (!timestamp.matches("[0-9]{1,18}")) {
            throw new Refused("webhook-timestamp is not whole seconds: " + timestamp);
        }
        long at = Long.parseLong(timestamp);
        if (Math.abs(nowSeconds - at) > TOLERANCE.toSeconds()) {
            throw new Refused("webhook-timestamp " + at + " is more than 5 minutes from now " + nowSeconds);
        }
        byte[] expected = hmac(id + "." + timestamp + ".", body);
        for (String entry : signatures.split(" ")) {
            int comma = entry.indexOf(',');
            if (comma < 0 || !entry.substring(0, comma).equals("v1")) {
                continue; // another scheme (v1a, a later version): not ours to check
            }
            byte[] given;
            try {
                given = Base64.getDecoder().decode(entry.substring(comma + 1));
            } catch (IllegalArgumentException notBase64) {
                continue;
            }
            if (MessageDigest.isEqual(given, expected)) {
                return;
            }
        }
        throw new Refused("no v1 signature in '" + signatures + "' matches");
    }

    private byte[] hmac(String prefix, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(prefix.getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
