package dev.topics.webhook;

import dev.topics.filter.FilterExpr;
import dev.topics.http.JsonFields;
import dev.topics.json.JsonOut;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.RecordFilter;
import java.time.Instant;
import java.util.List;

/**
 * A webhook (SPEC §10) as stored: a {@link ControlEntry} of kind {@code WEBHOOK}, id
 * {@code wh_…}, belonging to its topic, whose cursor is the last seq delivered (or skipped
 * by its filter). The spec: {@code {"topic","url","secret","filter","batch_max",
 * "max_attempts","state","created_at_ms"}}; the secret signs deliveries and is never shown
 * after it is made.
 *
 * @param state {@code active}, or {@code failing} after {@code max_attempts} failed attempts
 */
record Webhook(String id, String topic, String url, String secret, byte[] filterJson, int batchMax, int maxAttempts,
               String state, long createdAtMs) {

    static ControlEntry.Key key(String id) {
        return new ControlEntry.Key(ControlEntry.Kind.WEBHOOK, id);
    }

    RecordFilter filter() {
        return filterJson == null ? null : FilterExpr.compile(filterJson);
    }

    boolean failing() {
        return "failing".equals(state);
    }

    Webhook withState(String s) {
        return new Webhook(id, topic, url, secret, filterJson, batchMax, maxAttempts, s, createdAtMs);
    }

    ControlEntry entry(long cursor) {
        JsonOut out = new JsonOut(256).beginObject().field("topic", topic).field("url", url).field("secret", secret)
                .name("filter");
        out.rawValueOrNull(filterJson);
        out.field("batch_max", batchMax).field("max_attempts", maxAttempts).field("state", state)
                .field("created_at_ms", createdAtMs).endObject();
        return new ControlEntry(ControlEntry.Kind.WEBHOOK, id, out.toByteArray(), cursor, List.of(topic));
    }

    static Webhook of(ControlEntry e) {
        String[] s = new String[4];
        byte[][] filter = {null};
        long[] n = {100, 20, 0};
        JsonFields.body(e.spec(), 64, (f, at, r) -> {
            switch (f) {
                case "topic" -> s[0] = r.nextString(at);
                case "url" -> s[1] = r.nextString(at);
                case "secret" -> s[2] = r.nextString(at);
                case "state" -> s[3] = r.nextString(at);
                case "filter" -> {
                    filter[0] = r.readCanonicalValueOrNull();
                }
                case "batch_max" -> n[0] = r.nextU64(at);
                case "max_attempts" -> n[1] = r.nextU64(at);
                case "created_at_ms" -> n[2] = r.nextU64(at);
                default -> r.skipValue();
            }
        });
        return new Webhook(e.id(), s[0], s[1], s[2], filter[0], (int) n[0], (int) n[1], s[3] == null ? "active" : s[3],
                n[2]);
    }

    /** The API form (never the secret), into an open object; {@code cursor} is the stored one. */
    JsonOut fields(JsonOut out, long cursor) {
        out.field("id", id).field("topic", topic).field("url", url).name("filter");
        out.rawValueOrNull(filterJson);
        return out.field("batch_max", batchMax).field("max_attempts", maxAttempts).field("state", state)
                .field("cursor", cursor).field("created_at", Instant.ofEpochMilli(createdAtMs).toString());
    }
}
