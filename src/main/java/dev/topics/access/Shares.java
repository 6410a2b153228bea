package dev.topics.access;

import dev.topics.http.ApiError;
import dev.topics.storage.ControlEntry;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Share tokens of a topic (SPEC §11), for both API surfaces: create (the token is returned
 * once), list, change, rotate (the old token stops at once), revoke. Rights are the
 * caller's business ({@link Gate#requireOwner}); these only change the stored entries and
 * reload the gate.
 */
public final class Shares {
    /** A share and, right after it was made or rotated, its token's value. */
    public record Issued(Share share, String token) {
    }

    private final Gate gate;

    public Shares(Gate gate) {
        this.gate = gate;
    }

    public Issued create(String topic, String access, Long expiresAtMs, String label) {
        String token = Tokens.newToken("tk_");
        Share s = new Share(Tokens.newId("sh_"), topic, checkAccess(access), expiresAtMs == null ? 0 : expiresAtMs,
                label, Tokens.sha256Hex(token), System.currentTimeMillis());
        gate.storage().putControl(s.entry());
        gate.reload();
        return new Issued(s, token);
    }

    public List<Share> list(String topic) {
        List<Share> out = new ArrayList<>();
        for (ControlEntry e : gate.storage().controls(ControlEntry.Kind.SHARE)) {
            Share s = Share.of(e);
            if (s.topic().equals(topic)) {
                out.add(s);
            }
        }
        return out;
    }

    public Share get(String topic, String id) {
        ControlEntry e = gate.storage().control(new ControlEntry.Key(ControlEntry.Kind.SHARE, id));
        Share s = e == null ? null : Share.of(e);
        if (s == null || !s.topic().equals(topic)) {
            throw new ApiError(404, "share_not_found", "topic '" + topic + "' has no share '" + id + "'");
        }
        return s;
    }

    /** Changes the fields given (null = keep; {@code clearExpiry} removes the expiry). */
    public Share patch(String topic, String id, String access, Long expiresAtMs, boolean clearExpiry, String label,
                       boolean labelGiven) {
        Share s = get(topic, id);
        Share next = s.with(access == null ? s.access() : checkAccess(access),
                clearExpiry ? 0 : expiresAtMs == null ? s.expiresAtMs() : expiresAtMs,
                labelGiven ? label : s.label(), s.sha256Hex());
        gate.storage().putControl(next.entry());
        gate.reload();
        return next;
    }

    public Issued rotate(String topic, String id) {
        Share s = get(topic, id);
        String token = Tokens.newToken("tk_");
        Share next = s.with(s.access(), s.expiresAtMs(), s.label(), Tokens.sha256Hex(token));
        gate.storage().putControl(next.entry());
        gate.reload();
        return new Issued(next, token);
    }

    public void revoke(String topic, String id) {
        get(topic, id);
        gate.storage().deleteControl(new ControlEntry.Key(ControlEntry.Kind.SHARE, id));
        gate.reload();
    }

    private static String checkAccess(String access) {
        if (!"ro".equals(access) && !"wo".equals(access) && !"rw".equals(access)) {
            throw ApiError.invalidField("access must be \"ro\", \"wo\" or \"rw\"");
        }
        return access;
    }

    /** An RFC 3339 time as epoch ms; 400 {@code invalid_field} naming {@code field} otherwise. */
    public static long parseTime(String value, String field) {
        try {
            return Instant.parse(value).toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(value).toInstant().toEpochMilli();
            } catch (DateTimeParseException e2) {
                throw ApiError.invalidField(field + " must be an RFC 3339 time such as 2030-01-01T00:00:00Z");
            }
        }
    }
}
