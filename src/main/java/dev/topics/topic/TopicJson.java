package dev.topics.topic;

import dev.topics.http.ApiError;
import dev.topics.json.JsonOut;
import dev.topics.json.JsonReader;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.TopicInfo;
import dev.topics.storage.TopicPatch;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/** Topic configuration and description in the native API's JSON (snake_case). */
final class TopicJson {
    private TopicJson() {
    }

    /** Parses a PUT/PATCH body: every field optional, unknown or repeated fields refused. */
    static TopicPatch parsePatch(byte[] body, int maxDepth) {
        if (body.length == 0) {
            return TopicPatch.EMPTY;
        }
        JsonReader r = new JsonReader(body, 0, body.length, maxDepth);
        Long ttl = null;
        Long capRecords = null;
        Long capBytes = null;
        TopicConfig.Discard discard = null;
        Boolean durable = null;
        TopicConfig.Durability durability = null;
        Boolean autoCreate = null;
        Long window = null;
        Boolean dedupe = null;
        Boolean publicRead = null;
        Boolean publicPublish = null;
        Set<String> seen = new HashSet<>();
        r.beginObject("body");
        while (r.nextField()) {
            String f = r.name();
            if (!seen.add(f)) {
                throw ApiError.duplicateField(f);
            }
            switch (f) {
                case "ttl_ms" -> ttl = r.nextU64(f);
                case "cap_records" -> capRecords = r.nextU64(f);
                case "cap_bytes" -> capBytes = r.nextU64(f);
                case "discard" -> discard = switch (r.nextString(f)) {
                    case "old" -> TopicConfig.Discard.OLD;
                    case "new" -> TopicConfig.Discard.NEW;
                    default -> throw ApiError.invalidField("discard must be \"old\" or \"new\"");
                };
                case "durable" -> durable = r.nextBoolean(f);
                case "durability" -> durability = switch (r.nextString(f)) {
                    case "fsync" -> TopicConfig.Durability.FSYNC;
                    case "async" -> TopicConfig.Durability.ASYNC;
                    default -> throw ApiError.invalidField("durability must be \"fsync\" or \"async\"");
                };
                case "auto_create" -> autoCreate = r.nextBoolean(f);
                case "idempotency_window_ms" -> window = r.nextU64(f);
                case "dedupe_node" -> dedupe = r.nextBoolean(f);
                case "public_read" -> publicRead = r.nextBoolean(f);
                case "public_publish" -> publicPublish = r.nextBoolean(f);
                default -> throw ApiError.unknownField(f);
            }
        }
        r.end();
        return new TopicPatch(ttl, capRecords, capBytes, discard, durable, durability, autoCreate, window, dedupe,
                publicRead, publicPublish);
    }

    static JsonOut config(JsonOut out, TopicConfig c) {
        return out.beginObject()
                .field("ttl_ms", c.ttlMs())
                .field("cap_records", c.capRecords())
                .field("cap_bytes", c.capBytes())
                .field("discard", c.discard().wire())
                .field("durable", c.durable())
                .field("durability", c.durability().wire())
                .field("auto_create", c.autoCreate())
                .field("idempotency_window_ms", c.idempotencyWindowMs())
                .field("dedupe_node", c.dedupeNode())
                .field("public_read", c.publicRead())
                .field("public_publish", c.publicPublish())
                .endObject();
    }

    /** The fields of GET /v0/topics/{name}, inside an object the caller opened. */
    static JsonOut describe(JsonOut out, TopicInfo t) {
        out.field("topic", t.name());
        config(out.name("config"), t.config());
        return out.field("owner", t.owner())
                .field("created_at", Instant.ofEpochMilli(t.createdAtMs()).toString())
                .field("head_seq", t.headSeq())
                .field("earliest_seq", t.earliestSeq())
                .field("count", t.count())
                .field("bytes", t.bytes());
    }

    /** One entry of the topic list. */
    static JsonOut listEntry(JsonOut out, TopicInfo t) {
        return out.beginObject()
                .field("topic", t.name())
                .field("head_seq", t.headSeq())
                .field("count", t.count())
                .field("bytes", t.bytes())
                .field("owner", t.owner())
                .field("public_read", t.config().publicRead())
                .field("public_publish", t.config().publicPublish())
                .endObject();
    }
}
