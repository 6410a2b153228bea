package dev.topics.router;

import dev.topics.access.Identity;
import dev.topics.filter.FilterExpr;
import dev.topics.http.JsonFields;
import dev.topics.json.JsonOut;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.RecordFilter;
import java.util.List;

/**
 * A router as stored (SPEC §9): a {@link ControlEntry} of kind {@code ROUTER} whose id is the
 * router's name and whose cursor is the last source seq it has dealt with (copied, or
 * skipped by its filter). A local router belongs to its source and its dest (deleting
 * either deletes it); a remote one to its source. The spec is its JSON:
 * {@code {"source", "dest"|null, "dest_url"|null, "dest_topic"|null, "dest_token"|null,
 * "filter"|null, "creator"|null, "creator_identity"|null, "created_at_ms"}} (the identity lets
 * the router act with its creator's rights, SPEC §9). The destination token is kept to use
 * it and is never shown.
 */
record RouterSpec(String name, String source, String dest, String destUrl, String destTopic, String destToken,
                  byte[] filterJson, String creator, Identity creatorIdentity, long createdAtMs) {

    static ControlEntry.Key key(String name) {
        return new ControlEntry.Key(ControlEntry.Kind.ROUTER, name);
    }

    boolean remote() {
        return destUrl != null;
    }

    /** Where the copies go, for messages: a topic here, or a topic at a URL. */
    String target() {
        return remote() ? destTopic + " at " + destUrl : dest;
    }

    RecordFilter filter() {
        return filterJson == null ? null : FilterExpr.compile(filterJson);
    }

    ControlEntry entry(long cursor) {
        JsonOut out = new JsonOut(256).beginObject().field("source", source).field("dest", dest)
                .field("dest_url", destUrl).field("dest_topic", destTopic).field("dest_token", destToken).name("filter");
        out.rawValueOrNull(filterJson);
        out.field("creator", creator);
        if (creatorIdentity != null) {
            creatorIdentity.write(out.name("creator_identity"));
        }
        out.field("created_at_ms", createdAtMs).endObject();
        return new ControlEntry(ControlEntry.Kind.ROUTER, name, out.toByteArray(), cursor,
                remote() ? List.of(source) : List.of(source, dest));
    }

    static RouterSpec of(ControlEntry e) {
        String[] s = new String[6];
        byte[][] filter = {null};
        long[] created = {0};
        Identity[] identity = {null};
        JsonFields.body(e.spec(), 64, (f, at, r) -> {
            switch (f) {
                case "source" -> s[0] = r.nextStringOrNull(at);
                case "dest" -> s[1] = r.nextStringOrNull(at);
                case "dest_url" -> s[2] = r.nextStringOrNull(at);
                case "dest_topic" -> s[3] = r.nextStringOrNull(at);
                case "dest_token" -> s[4] = r.nextStringOrNull(at);
                case "creator" -> s[5] = r.nextStringOrNull(at);
                case "filter" -> {
                    filter[0] = r.readCanonicalValueOrNull();
                }
                case "created_at_ms" -> created[0] = r.nextU64(at);
                case "creator_identity" -> identity[0] = Identity.read(r, at);
                default -> r.skipValue(); // written by a newer build
            }
        });
        return new RouterSpec(e.id(), s[0], s[1], s[2], s[3], s[4], filter[0], s[5], identity[0], created[0]);
    }
}
