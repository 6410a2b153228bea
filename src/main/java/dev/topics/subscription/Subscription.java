package dev.topics.subscription;

import dev.topics.filter.FilterExpr;
import dev.topics.http.ApiError;
import dev.topics.http.JsonFields;
import dev.topics.json.JsonOut;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.RecordFilter;
import dev.topics.storage.Storage;
import java.util.List;

/**
 * A subscription (SPEC §10): a named, durable cursor on one topic, with an optional filter.
 * Kept by the engine as a {@link ControlEntry} of kind {@code SUBSCRIPTION} whose id is
 * {@code <topic>/<name>} (a topic name holds no {@code /}) and whose cursor is the
 * subscription's; it belongs to its topic, so deleting the topic deletes it. The spec is
 * {@code {"filter": <canonical filter JSON or null>, "created_at_ms": n}}.
 */
public record Subscription(String topic, String name, byte[] filterJson, long createdAtMs, long cursor) {

    public static ControlEntry.Key key(String topic, String name) {
        return new ControlEntry.Key(ControlEntry.Kind.SUBSCRIPTION, topic + "/" + name);
    }

    /** The stored subscription, or 404 {@code subscription_not_found}. */
    public static Subscription load(Storage s, String topic, String name) {
        ControlEntry e = s.control(key(topic, name));
        if (e == null) {
            throw notFound(topic, name);
        }
        return of(e);
    }

    public static ApiError notFound(String topic, String name) {
        return new ApiError(404, "subscription_not_found", "topic '" + topic + "' has no subscription '" + name + "'");
    }

    static Subscription of(ControlEntry e) {
        int slash = e.id().indexOf('/');
        byte[] spec = e.spec();
        byte[][] filter = {null};
        long[] created = {0};
        JsonFields.body(spec, 64, (f, at, r) -> {
            switch (f) {
                case "filter" -> filter[0] = r.readCanonicalValueOrNull();
                case "created_at_ms" -> created[0] = r.nextU64(at);
                default -> r.skipValue(); // written by a newer build: keep going
            }
        });
        return new Subscription(e.id().substring(0, slash), e.id().substring(slash + 1), filter[0], created[0],
                e.cursor());
    }

    ControlEntry entry() {
        JsonOut out = new JsonOut(64 + (filterJson == null ? 0 : filterJson.length)).beginObject().name("filter");
        out.rawValueOrNull(filterJson);
        out.field("created_at_ms", createdAtMs).endObject();
        return new ControlEntry(ControlEntry.Kind.SUBSCRIPTION, topic + "/" + name, out.toByteArray(), cursor,
                List.of(topic));
    }

    /** The compiled filter, or null for none. */
    public RecordFilter filter() {
        return filterJson == null ? null : FilterExpr.compile(filterJson);
    }

    /** Writes the filter as given (canonical), or null. */
    JsonOut writeFilter(JsonOut out) {
        return out.rawValueOrNull(filterJson);
    }
}
