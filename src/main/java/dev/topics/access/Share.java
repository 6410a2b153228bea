package dev.topics.access;

import dev.topics.http.JsonFields;
import dev.topics.json.JsonOut;
import dev.topics.storage.ControlEntry;
import java.time.Instant;
import java.util.List;

/**
 * A topic share token (SPEC §11), stored as a {@link ControlEntry} of kind {@code SHARE}
 * (id {@code sh_…}) belonging to its topic, so deleting the topic revokes it. Only the
 * token's SHA-256 is kept.
 *
 * @param access        {@code ro}, {@code wo} or {@code rw}
 * @param expiresAtMs   0 for never
 * @param label         null or a free text
 */
public record Share(String id, String topic, String access, long expiresAtMs, String label, String sha256Hex,
                    long createdAtMs) {

    /** Whether the token's access covers the action; never {@code MIRROR}, whatever the access (SPEC §11). */
    public boolean covers(Action a) {
        return switch (a) {
            case READ -> !access.equals("wo");
            case PUBLISH -> !access.equals("ro");
            case MIRROR -> false;
        };
    }

    public boolean expired(long nowMs) {
        return expiresAtMs != 0 && nowMs >= expiresAtMs;
    }

    Share with(String access, long expiresAtMs, String label, String sha256Hex) {
        return new Share(id, topic, access, expiresAtMs, label, sha256Hex, createdAtMs);
    }

    ControlEntry entry() {
        JsonOut out = new JsonOut(192).beginObject().field("topic", topic).field("access", access)
                .field("expires_at_ms", expiresAtMs).field("label", label).field("sha256", sha256Hex)
                .field("created_at_ms", createdAtMs).endObject();
        return new ControlEntry(ControlEntry.Kind.SHARE, id, out.toByteArray(), 0, List.of(topic));
    }

    static Share of(ControlEntry e) {
        String[] s = new String[4];
        long[] n = new long[2];
        JsonFields.body(e.spec(), 8, (f, path, r) -> {
            switch (f) {
                case "topic" -> s[0] = r.nextString(path);
                case "access" -> s[1] = r.nextString(path);
                case "label" -> s[2] = r.nextStringOrNull(path);
                case "sha256" -> s[3] = r.nextString(path);
                case "expires_at_ms" -> n[0] = r.nextU64(path);
                case "created_at_ms" -> n[1] = r.nextU64(path);
                default -> r.skipValue();
            }
        });
        return new Share(e.id(), s[0], s[1], n[0], s[2], s[3], n[1]);
    }

    /**
     * The API form, never with the token's value: snake_case ({@code expires_at},
     * {@code created_at}) for /v0, camelCase for the /topics surface (SPEC §13).
     */
    public JsonOut write(JsonOut out, boolean camel, String token) {
        return fields(out.beginObject(), camel, token).endObject();
    }

    /** {@link #write}'s fields, into an object the caller opened. */
    public JsonOut fields(JsonOut out, boolean camel, String token) {
        out.field("id", id).field("topic", topic).field("access", access)
                .field(camel ? "expiresAt" : "expires_at",
                        expiresAtMs == 0 ? null : Instant.ofEpochMilli(expiresAtMs).toString())
                .field("label", label)
                .field(camel ? "createdAt" : "created_at", Instant.ofEpochMilli(createdAtMs).toString());
        if (token != null) {
            out.field("token", token);
        }
        return out;
    }
}
