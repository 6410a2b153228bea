package dev.topics.watch;

import dev.topics.access.Identity;
import dev.topics.http.JsonFields;
import dev.topics.json.JsonOut;
import dev.topics.json.JsonReader;

/**
 * A watch session as stored (SPEC §5): {@code {"caller": <identity>, "request": <the
 * POST body>}}, so the stream can act with its creator's rights when it is opened by a wid
 * alone. A stored spec that is a bare request (written before callers were kept, when
 * every caller was the admin) reads with a null identity.
 */
record StoredSession(Identity identity, byte[] request) {

    static byte[] encode(Identity identity, byte[] request) {
        JsonOut out = new JsonOut(128 + request.length).beginObject().name("caller");
        identity.write(out);
        return out.name("request").rawValue(request, 0, request.length).endObject().toByteArray();
    }

    static StoredSession decode(byte[] spec) {
        JsonReader probe = new JsonReader(spec, 0, spec.length, 64);
        probe.beginObject("session");
        if (!probe.nextField() || !probe.name().equals("caller")) {
            return new StoredSession(null, spec);
        }
        Identity[] id = {null};
        byte[][] request = {null};
        JsonFields.body(spec, 64, (f, at, r) -> {
            switch (f) {
                case "caller" -> id[0] = Identity.read(r, at);
                case "request" -> request[0] = r.readCanonicalValue();
                default -> r.skipValue();
            }
        });
        return new StoredSession(id[0], request[0]);
    }
}
