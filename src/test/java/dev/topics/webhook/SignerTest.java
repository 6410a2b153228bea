package dev.topics.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Signer} on its own, checked against a published Standard Webhooks test vector
 * and against the test's independent {@link StandardWebhooksVerifier}.
 */
class SignerTest {
    private static final byte[] BODY = "{\"topic\":\"t\",\"records\":[{\"data\":\"caf\u00e9\"}]}"
            .getBytes(StandardCharsets.UTF_8);

    /**
     * The signing vector that the Standard Webhooks reference libraries test against
     * (secret, message id, timestamp, payload and the signature they expect).
     */
    @Test
    void signsThePublishedStandardWebhooksVector() {
        byte[] key = Signer.key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        String sig = Signer.v1(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L,
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));
        assertThat(sig).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void generatedSecretsAreWhsecAndStandardBase64Of24RandomBytes() {
        SecureRandom random = new SecureRandom();
        Set<String> seen = new HashSet<>();
        boolean sawNonUrlSafeChar = false;
        for (int i = 0; i < 200; i++) {
            String s = Signer.newSecret(random);
            assertThat(s).matches("whsec_[A-Za-z0-9+/]{32}");
            byte[] decoded = Base64.getDecoder().decode(s.substring(6));
            assertThat(decoded).hasSize(24);
            assertThat(Signer.key(s)).as("the key of %s is its decoded bytes", s).isEqualTo(decoded);
            sawNonUrlSafeChar |= s.substring(6).matches(".*[+/].*");
            assertThat(seen.add(s)).isTrue();
        }
        // 200 secrets of 32 characters without one '+' or '/' would mean url-safe base64 (p < 1e-100)
        assertThat(sawNonUrlSafeChar).as("standard, not url-safe, base64").isTrue();
    }

    /** Which secrets are keys in base64 and which are used as their UTF-8 text. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX | decoded",      // 24 bytes 0..23
        "whsec_YWJj                              | decoded",      // "abc"
        "whsec_YWI=                              | decoded",      // "ab", padded
        "whsec_YWI                               | text",         // unpadded: some libraries refuse it
        "whsec_                                  | text",         // nothing after the prefix
        "whsec_-_-_AAECAwQFBgcICQoLDA0ODxAREhMU  | text",         // url-safe (an older generated secret)
        "whsec_my secret!                        | text",
        "s3cret                                  | text",
        "YWJj                                    | text",         // base64 without the prefix is a plain secret
        "WHSEC_YWJj                              | text",         // the prefix is case-sensitive
    })
    void aWhsecSecretIsBase64AndAnythingElseIsText(String secret, String how) {
        byte[] key = Signer.key(secret);
        if (how.equals("decoded")) {
            assertThat(key).isEqualTo(Base64.getDecoder().decode(secret.substring(6)));
        } else {
            assertThat(key).isEqualTo(secret.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void theIndependentVerifierAcceptsBothKindsOfSecret() {
        long now = 1_760_000_000L;
        String generated = Signer.newSecret(new SecureRandom());
        new StandardWebhooksVerifier(generated).verify("dl_a_1", Long.toString(now),
                Signer.v1(Signer.key(generated), "dl_a_1", now, BODY), BODY, now);
        String plain = "s3cr\u00e9t-\u2603"; // non-ASCII: the key is its UTF-8 bytes
        new StandardWebhooksVerifier(StandardWebhooksVerifier.wrap(plain)).verify("dl_a_1", Long.toString(now),
                Signer.v1(Signer.key(plain), "dl_a_1", now, BODY), BODY, now);
    }

    /** The verifier can fail: each part of what is signed matters, and so does the clock. */
    @Test
    void theIndependentVerifierRefusesAnythingChanged() {
        long now = 1_760_000_000L;
        String secret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX";
        String sig = Signer.v1(Signer.key(secret), "dl_a_1", now, BODY);
        StandardWebhooksVerifier v = new StandardWebhooksVerifier(secret);
        String ts = Long.toString(now);
        byte[] tampered = BODY.clone();
        tampered[tampered.length - 3] ^= 1;
        assertRefused(() -> v.verify("dl_a_1", ts, sig, tampered, now), "no v1 signature");
        assertRefused(() -> v.verify("dl_a_2", ts, sig, BODY, now), "no v1 signature");
        assertRefused(() -> v.verify("dl_a_1", Long.toString(now + 1), sig, BODY, now), "no v1 signature");
        assertRefused(() -> v.verify("dl_a_1", ts, sig, BODY, now + 301), "more than 5 minutes");
        assertRefused(() -> v.verify("dl_a_1", ts, sig, BODY, now - 301), "more than 5 minutes");
        assertRefused(() -> v.verify("dl_a_1", ts, "v2," + sig.substring(3), BODY, now), "no v1 signature");
        assertRefused(() -> v.verify("dl_a_1", ts + ".5", sig, BODY, now), "whole seconds");
        assertRefused(() -> v.verify(null, ts, sig, BODY, now), "missing");
        assertRefused(() -> new StandardWebhooksVerifier("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYY")
                .verify("dl_a_1", ts, sig, BODY, now), "no v1 signature");
        assertRefused(() -> new StandardWebhooksVerifier(StandardWebhooksVerifier.wrap(secret))
                .verify("dl_a_1", ts, sig, BODY, now), "no v1 signature");
        // at the edge of the tolerance, and among other entries, it still passes
        v.verify("dl_a_1", ts, sig, BODY, now + 300);
        v.verify("dl_a_1", ts, "v1a,bm90IGEgc2lnbmF0dXJl v1,AAAA " + sig + " v1,!!", BODY, now - 300);
    }

    @Test
    void theDeprecatedSignatureIsTheHexHmacOfTheBodyKeyedByTheSecretText() {
        String secret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX";
        assertThat(Signer.legacyHex(secret, BODY)).matches("[0-9a-f]{64}")
                .isEqualTo(WebhookDeliveryFixtures.hmac(secret, BODY))
                .isNotEqualTo(WebhookDeliveryFixtures.hmac(secret + " ", BODY));
    }

    private static void assertRefused(Runnable verify, String why) {
        assertThatThrownBy(verify::run).isInstanceOf(StandardWebhooksVerifier.Refused.class).hasMessageContaining(why);
    }
}
