package dev.topics.topic;

import dev.topics.json.JsonOut;
import dev.topics.storage.Origin;
import dev.topics.storage.RecordView;
import java.util.Arrays;
import java.util.Base64;

/**
 * A stored record as JSON (SPEC §4): {@code {"$seq","$ts","$tag"?,"$node"?,"$origin"?,"data"}}
 * with absent parts omitted; a record of raw bytes (SPEC §16) adds {@code "$content_type"} and
 * {@code "$encoding": "base64"}, and its {@code data} is the bytes in base64. {@code data} is spliced from the stored canonical bytes,
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
        if (r.raw()) {
            // bytes of a Durable Streams byte stream (SPEC §16): base64, said so, with their type
            out.field("$content_type", r.contentType()).field("$encoding", "base64");
            return out.name("data").value(base64(r)).endObject();
        }
        return out.name("data").rawValue(b, r.dataOffset(), r.dataLength()).endObject();
    }

    /** A raw record's bytes in standard base64. */
    public static String base64(RecordView r) {
        byte[] b = r.buffer();
        return Base64.getEncoder().encodeToString(Arrays.copyOfRange(b, r.dataOffset(), r.dataOffset() + r.dataLength()));
    }
}
