package dev.topics.access;

import dev.topics.http.JsonFields;
import dev.topics.json.JsonOut;
import dev.topics.json.JsonReader;

/**
 * A caller as sessions and routers store it, to act later with the rights it had:
 * the principal (and whether it was the admin), the share token's id and hash, and the id
 * of the principal token used. {@link Gate#restore} turns it back into a {@link Caller}.
 */
public record Identity(String principal, boolean admin, String shareId, String shareSha256, String tokenId) {

    /** The identity of {@code c}, to store. */
    public static Identity of(Caller c) {
        Share s = c.share();
        return new Identity(c.principal(), c.admin(), s == null ? null : s.id(), s == null ? null : s.sha256Hex(),
                c.tokenId());
    }

    public JsonOut write(JsonOut out) {
        return out.beginObject().field("principal", principal).field("admin", admin).field("share_id", shareId)
                .field("share_sha256", shareSha256).field("token_id", tokenId).endObject();
    }

    /** The same caller, whichever of its principal's tokens is used (routers act as the principal). */
    public Identity withoutToken() {
        return new Identity(principal, admin, shareId, shareSha256, null);
    }

    public static Identity read(JsonReader r, String path) {
        String[] s = new String[4];
        boolean[] admin = {false};
        JsonFields.object(r, path, (f, at, rr) -> {
            switch (f) {
                case "principal" -> s[0] = rr.nextStringOrNull(at);
                case "admin" -> admin[0] = rr.nextBoolean(at);
                case "share_id" -> s[1] = rr.nextStringOrNull(at);
                case "share_sha256" -> s[2] = rr.nextStringOrNull(at);
                case "token_id" -> s[3] = rr.nextStringOrNull(at);
                default -> rr.skipValue();
            }
        });
        return new Identity(s[0], admin[0], s[1], s[2], s[3]);
    }
}
