package dev.topics.access;

import dev.topics.http.JsonFields;
import dev.topics.json.JsonOut;
import dev.topics.storage.ControlEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A principal (SPEC §11): a named caller with API tokens, stored as a {@link ControlEntry}
 * of kind {@code PRINCIPAL} (id = name). Only each token's SHA-256 is kept; several tokens
 * let a principal rotate them.
 */
public record Principal(String name, boolean admin, List<Token> tokens, long createdAtMs) {

    /** One API token: its id ({@code tok_…}), the SHA-256 of its value, when it was made. */
    public record Token(String id, String sha256Hex, long createdAtMs) {
    }

    public Principal {
        tokens = List.copyOf(tokens);
    }

    Principal withTokens(List<Token> t) {
        return new Principal(name, admin, t, createdAtMs);
    }

    ControlEntry entry() {
        JsonOut out = new JsonOut(256).beginObject().field("admin", admin).field("created_at_ms", createdAtMs)
                .name("tokens").beginArray();
        for (Token t : tokens) {
            out.beginObject().field("id", t.id()).field("sha256", t.sha256Hex()).field("created_at_ms", t.createdAtMs())
                    .endObject();
        }
        out.endArray().endObject();
        return new ControlEntry(ControlEntry.Kind.PRINCIPAL, name, out.toByteArray(), 0, List.of());
    }

    static Principal of(ControlEntry e) {
        boolean[] admin = {false};
        long[] at = {0};
        List<Token> tokens = new ArrayList<>();
        JsonFields.body(e.spec(), 8, (f, path, r) -> {
            switch (f) {
                case "admin" -> admin[0] = r.nextBoolean(path);
                case "created_at_ms" -> at[0] = r.nextU64(path);
                case "tokens" -> {
                    r.beginArray(path);
                    while (r.nextElement()) {
                        String[] s = new String[2];
                        long[] t = {0};
                        JsonFields.object(r, path + "[]", (g, p2, rr) -> {
                            switch (g) {
                                case "id" -> s[0] = rr.nextString(p2);
                                case "sha256" -> s[1] = rr.nextString(p2);
                                case "created_at_ms" -> t[0] = rr.nextU64(p2);
                                default -> rr.skipValue();
                            }
                        });
                        tokens.add(new Token(s[0], s[1], t[0]));
                    }
                }
                default -> r.skipValue();
            }
        });
        return new Principal(e.id(), admin[0], tokens, at[0]);
    }

    /** The API form: {@code {"name","admin","created_at","tokens":[{"id","created_at"}]}} — never token values. */
    public JsonOut write(JsonOut out) {
        out.beginObject().field("name", name).field("admin", admin)
                .field("created_at", Instant.ofEpochMilli(createdAtMs).toString()).name("tokens").beginArray();
        for (Token t : tokens) {
            out.beginObject().field("id", t.id()).field("created_at", Instant.ofEpochMilli(t.createdAtMs()).toString())
                    .endObject();
        }
        return out.endArray().endObject();
    }
}
