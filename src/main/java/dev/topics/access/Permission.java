package dev.topics.access;

import dev.topics.http.JsonFields;
import dev.topics.json.JsonOut;
import dev.topics.storage.ControlEntry;
import java.time.Instant;
import java.util.List;

/**
 * A pattern permission (SPEC §11), stored as a {@link ControlEntry} of kind
 * {@code PERMISSION} (id {@code perm_…}, belonging to no topic: it outlives topics).
 *
 * @param principal a principal's name, or {@code *} for every caller (anonymous ones too)
 * @param mirror    covers {@link Action#MIRROR} (stored as {@code "mirror"}; entries made
 *                  before the action existed lack the field and do not cover it)
 */
public record Permission(String id, String principal, String pattern, boolean read, boolean publish, boolean mirror,
                         boolean allow, long createdAtMs) {

    public boolean covers(Action a) {
        return switch (a) {
            case READ -> read;
            case PUBLISH -> publish;
            case MIRROR -> mirror;
        };
    }

    public boolean appliesTo(String callerPrincipal) {
        return principal.equals("*") || principal.equals(callerPrincipal);
    }

    ControlEntry entry() {
        JsonOut out = new JsonOut(160).beginObject().field("principal", principal).field("pattern", pattern)
                .field("read", read).field("publish", publish).field("mirror", mirror).field("allow", allow)
                .field("created_at_ms", createdAtMs).endObject();
        return new ControlEntry(ControlEntry.Kind.PERMISSION, id, out.toByteArray(), 0, List.of());
    }

    static Permission of(ControlEntry e) {
        String[] s = new String[2];
        boolean[] b = new boolean[4];
        long[] at = {0};
        JsonFields.body(e.spec(), 8, (f, path, r) -> {
            switch (f) {
                case "principal" -> s[0] = r.nextString(path);
                case "pattern" -> s[1] = r.nextString(path);
                case "read" -> b[0] = r.nextBoolean(path);
                case "publish" -> b[1] = r.nextBoolean(path);
                case "allow" -> b[2] = r.nextBoolean(path);
                case "mirror" -> b[3] = r.nextBoolean(path);
                case "created_at_ms" -> at[0] = r.nextU64(path);
                default -> r.skipValue();
            }
        });
        return new Permission(e.id(), s[0], s[1], b[0], b[1], b[3], b[2], at[0]);
    }

    /** The API form: {@code {"id","principal","pattern","actions","effect","created_at"}}. */
    public JsonOut write(JsonOut out) {
        return fields(out.beginObject()).endObject();
    }

    /** {@link #write}'s fields, into an object the caller opened. */
    public JsonOut fields(JsonOut out) {
        out.field("id", id).field("principal", principal).field("pattern", pattern).name("actions")
                .beginArray();
        if (read) {
            out.value("read");
        }
        if (publish) {
            out.value("publish");
        }
        if (mirror) {
            out.value("mirror");
        }
        return out.endArray().field("effect", allow ? "allow" : "deny")
                .field("created_at", Instant.ofEpochMilli(createdAtMs).toString());
    }
}
