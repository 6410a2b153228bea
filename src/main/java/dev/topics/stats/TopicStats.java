package dev.topics.stats;

import dev.topics.json.JsonOut;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.Storage;
import dev.topics.storage.TopicInfo;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * A topic's stats (SPEC §12): its size, what is attached to it, and its live activity.
 * Deliveries count what the topic's webhooks' logs hold (the last 1,000 of each, since the
 * server started).
 */
public record TopicStats(TopicInfo topic, int watchers, int subscriptions, int webhooks, long deliveriesPending,
                         long deliveriesSucceeded, long deliveriesFailed, int routersIn, int routersOut,
                         Activity.Counts activity) {

    /** Gathers the stats of {@code t}; {@code watchers} counts the open streams on a topic. */
    public static TopicStats of(Storage s, TopicInfo t, ToIntFunction<String> watchers,
                                Function<String, long[]> deliveries, Activity activity) {
        String prefix = t.name() + "/";
        int subs = 0;
        for (ControlEntry e : s.controls(ControlEntry.Kind.SUBSCRIPTION)) {
            if (e.id().startsWith(prefix)) {
                subs++;
            }
        }
        int hooks = 0;
        for (ControlEntry e : s.controls(ControlEntry.Kind.WEBHOOK)) {
            if (e.belongsToTopic(t.name())) {
                hooks++;
            }
        }
        int in = 0;
        int out = 0;
        for (ControlEntry e : s.controls(ControlEntry.Kind.ROUTER)) {
            // a router belongs to its source first, then (local) to its dest
            if (!e.topics().isEmpty() && e.topics().get(0).equals(t.name())) {
                out++;
            } else if (e.belongsToTopic(t.name())) {
                in++;
            }
        }
        long[] d = deliveries.apply(t.name());
        return new TopicStats(t, watchers.applyAsInt(t.name()), subs, hooks, d[0], d[1], d[2], in, out,
                activity.counts(t.name()));
    }

    /** The stats object's fields, snake_case (/v0) or camelCase (/topics), into an open object. */
    public JsonOut fields(JsonOut out, boolean camel) {
        out.field("topic", topic.name()).field("records", topic.count()).field("bytes", topic.bytes())
                .field(camel ? "headSeq" : "head_seq", topic.headSeq())
                .field(camel ? "earliestSeq" : "earliest_seq", topic.earliestSeq())
                .field("watchers", watchers).field("subscriptions", subscriptions).field("webhooks", webhooks);
        out.name("deliveries").beginObject().field("pending", deliveriesPending).field("succeeded", deliveriesSucceeded)
                .field("failed", deliveriesFailed).endObject();
        out.name("routers").beginObject().field("in", routersIn).field("out", routersOut).endObject();
        Activity.Counts a = activity;
        out.name("activity").beginObject()
                .field(camel ? "writes1m" : "writes_1m", a.writes1m()).field(camel ? "writes1h" : "writes_1h", a.writes1h())
                .field(camel ? "reads1m" : "reads_1m", a.reads1m()).field(camel ? "reads1h" : "reads_1h", a.reads1h())
                .field(camel ? "lastWriteAt" : "last_write_at", time(a.lastWriteAt()))
                .field(camel ? "lastReadAt" : "last_read_at", time(a.lastReadAt())).endObject();
        return out;
    }

    private static String time(long ms) {
        return ms == 0 ? null : Instant.ofEpochMilli(ms).toString();
    }
}
