package dev.topics.watch;

import dev.topics.filter.FilterExpr;
import dev.topics.http.ApiError;
import dev.topics.http.Names;
import dev.topics.json.JsonReader;
import dev.topics.json.JsonOut;
import dev.topics.storage.RecordFilter;
import dev.topics.topic.NodeId;
import dev.topics.http.TopicName;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A watch session's spec (SPEC §5): {@code {"topics": {"<name>": {"from_seq", "filter"}},
 * "node", "heartbeat_ms"}}, where a topic may instead follow a subscription
 * ({@code {"subscription": "s"}}, SPEC §10: the stream starts at the subscription's cursor
 * and uses its filter). Stored as the request's own bytes and parsed again when the
 * stream opens, so what was validated is what runs.
 */
record SessionSpec(LinkedHashMap<String, Long> cursors, Map<String, RecordFilter> filters, Map<String, String> subscriptions,
                   String node, long heartbeatMs, byte[] topicsJson) {

    static SessionSpec parse(byte[] body, int maxDepth) {
        if (body.length == 0) {
            throw ApiError.invalidField("topics is required");
        }
        JsonReader r = new JsonReader(body, 0, body.length, maxDepth);
        LinkedHashMap<String, Long> cursors = null;
        Map<String, RecordFilter> filters = new HashMap<>();
        Map<String, String> subscriptions = new HashMap<>();
        JsonOut topics = new JsonOut(128);
        String node = null;
        long heartbeat = 15_000;
        Set<String> seen = new HashSet<>();
        r.beginObject("body");
        while (r.nextField()) {
            String f = r.name();
            if (!seen.add(f)) {
                throw ApiError.duplicateField(f);
            }
            switch (f) {
                case "topics" -> {
                    cursors = new LinkedHashMap<>();
                    r.beginObject("topics");
                    topics.beginObject();
                    while (r.nextField()) {
                        String name = TopicName.check(r.name());
                        if (cursors.containsKey(name)) {
                            throw ApiError.duplicateField("topics." + name);
                        }
                        long from = 0;
                        topics.name(name).beginObject();
                        r.beginObject("topics." + name);
                        Set<String> own = new HashSet<>();
                        while (r.nextField()) {
                            String g = r.name();
                            String at = "topics." + name + "." + g;
                            if (!own.add(g)) {
                                throw ApiError.duplicateField(at);
                            }
                            switch (g) {
                                case "from_seq" -> from = r.nextU64(at);
                                case "filter" -> {
                                    byte[] raw = r.readCanonicalValue();
                                    RecordFilter filter = FilterExpr.compile(raw);
                                    if (filter != null) {
                                        filters.put(name, filter);
                                    }
                                    topics.name("filter").rawValue(raw, 0, raw.length);
                                }
                                case "subscription" -> {
                                    String sub = Names.check(r.nextString(at), "subscription");
                                    subscriptions.put(name, sub);
                                    topics.field("subscription", sub);
                                }
                                default -> throw ApiError.unknownField(at);
                            }
                        }
                        if (subscriptions.containsKey(name)) {
                            if (own.size() > 1) {
                                throw ApiError.invalidField("topics." + name
                                        + " follows a subscription: its cursor and filter are the subscription's");
                            }
                        } else {
                            topics.field("from_seq", from);
                        }
                        topics.endObject();
                        cursors.put(name, from);
                    }
                    topics.endObject();
                }
                case "node" -> node = NodeId.check(r.nextStringOrNull(f), f);
                case "heartbeat_ms" -> {
                    heartbeat = r.nextU64(f);
                    if (heartbeat < 100 || heartbeat > 3_600_000) {
                        throw ApiError.invalidField("heartbeat_ms must be between 100 and 3600000");
                    }
                }
                default -> throw ApiError.unknownField(f);
            }
        }
        r.end();
        if (cursors == null || cursors.isEmpty()) {
            throw ApiError.invalidField("topics must name at least one topic");
        }
        return new SessionSpec(cursors, filters, subscriptions, node, heartbeat, topics.toByteArray());
    }
}
