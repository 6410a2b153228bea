package dev.topics.topic;

import dev.topics.json.JsonOut;
import dev.topics.storage.Origin;
import dev.topics.storage.RecordView;

/**
 * A stored record as JSON (SPEC §4): {@code {"$seq","$ts","$tag"?,"$node"?,"$origin"?,"data"}}
 * with absent parts omitted. {@code data} is spliced from the stored canonical bytes,
 * never re-parsed. Hot path: benchmark P3.
 */
public final class RecordJson {
    private RecordJson() {
    }

    public static JsonOut write(JsonOut out, RecordView r) {
        out.beginObject().field("$seq", r.seq()).field("$ts", r.ts());
        byte[] b = r.buffer();
        if (r.hasTag()) {
            out.name("$tag").stringUtf8(b, r.tagOffset(), r.tagLength());
        }
        if (r.hasNode()) {
            out.name("$node").stringUtf8(b, r.nodeOffset(), r.nodeLength());
        }
        Origin o = r.origin();
        if (o != null) {
            out.name("$origin").beginObject().field("node", o.node()).field("topic", o.topic()).name("seq").valueUnsigned(o.seq())
                    .endObject();
        }
        return out.name("data").rawValue(b, r.dataOffset(), r.dataLength()).endObject();
    }
}
