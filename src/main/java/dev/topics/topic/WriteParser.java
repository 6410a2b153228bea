package dev.topics.topic;

import dev.topics.http.TopicName;
import dev.topics.config.ServerConfig;
import dev.topics.http.ApiError;
import dev.topics.json.JsonException;
import dev.topics.json.JsonOut;
import dev.topics.json.JsonReader;
import dev.topics.storage.Origin;
import dev.topics.storage.RecordBatch;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses and validates a write body (SPEC §3) into an encoded {@link RecordBatch}. Every
 * check happens here, before anything reaches storage, so a refused write changes nothing.
 * {@code data} is canonicalised once (whitespace dropped, everything else verbatim) and
 * from then on only copied. Hot path: benchmarks P1 and P2.
 */
final class WriteParser {
    /**
     * A parsed write.
     *
     * @param carriesOrigin some record carries an {@code origin}: the write needs the mirror
     *                      right beside publish (SPEC §11)
     */
    record Write(RecordBatch batch, String idempotencyKey, boolean carriesOrigin) {
    }

    private record Item(byte[] data, String tag, String node, Origin origin) {
    }

    private final ServerConfig.Limits limits;

    WriteParser(ServerConfig.Limits limits) {
        this.limits = limits;
    }

    /** What a write body looks like, for the errors of a body that is not one. */
    static final String ENVELOPE = "a write is {\"records\": [{\"data\": <any JSON>}]}, "
            + "or a text body sent with Content-Type: text/plain";

    /**
     * Parses a JSON write body; a body that is not JSON, or is JSON without the
     * {@code records} envelope, is refused with an error that shows the envelope.
     */
    Write parse(byte[] body, String headerKey) {
        try {
            return parseJson(body, headerKey);
        } catch (JsonException e) {
            if (e.code().equals("invalid_json") || e.getMessage().startsWith("body must be")) {
                throw new JsonException(e.code(), e.getMessage() + "; " + ENVELOPE);
            }
            throw e;
        }
    }

    /**
     * A plain-text write (SPEC §3): the body, which must be UTF-8, is one record whose
     * {@code data} is the text as a JSON string; {@code tag}, {@code node} and the
     * idempotency key come from the query (the key from the header too).
     */
    Write parseText(byte[] body, String tag, String node, String queryKey, String headerKey) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw ApiError.badRequest("invalid_text", "a text/plain body must be UTF-8; this one is not");
        }
        byte[] data = new JsonOut(body.length + 16).value(text).toByteArray();
        if (data.length > limits.maxRecordBytes()) {
            throw new ApiError(413, "record_too_large", "the text is " + data.length
                    + " bytes as a JSON string; a record's data may be at most " + limits.maxRecordBytes() + " bytes");
        }
        if (tag != null && tag.getBytes(StandardCharsets.UTF_8).length > limits.maxTagBytes()) {
            throw ApiError.invalidField("tag is longer than " + limits.maxTagBytes() + " bytes");
        }
        String n = NodeId.check(node, "node");
        String key = idempotencyKey(queryKey, headerKey);
        RecordBatch batch = new RecordBatch(data.length + 64);
        batch.add(data, tag, n, null);
        return new Write(batch, key, false);
    }

    private Write parseJson(byte[] body, String headerKey) {
        JsonReader r = new JsonReader(body, 0, body.length, limits.maxJsonDepth());
        List<Item> items = null;
        String node = null;
        String key = null;
        boolean sawNode = false;
        boolean sawKey = false;
        long encoded = 0;
        r.beginObject("body");
        while (r.nextField()) {
            String f = r.name();
            switch (f) {
                case "records" -> {
                    if (items != null) {
                        throw ApiError.duplicateField(f);
                    }
                    items = new ArrayList<>();
                    r.beginArray("records");
                    while (r.nextElement()) {
                        if (items.size() == limits.maxRecordsPerWrite()) {
                            throw ApiError.badRequest("too_many_records",
                                    "a write holds at most " + limits.maxRecordsPerWrite() + " records");
                        }
                        Item it = record(r, items.size());
                        encoded += it.data.length;
                        items.add(it);
                    }
                }
                case "node" -> {
                    if (sawNode) {
                        throw ApiError.duplicateField(f);
                    }
                    sawNode = true;
                    node = NodeId.check(r.nextStringOrNull("node"), "node");
                }
                case "idempotency_key" -> {
                    if (sawKey) {
                        throw ApiError.duplicateField(f);
                    }
                    sawKey = true;
                    key = r.nextStringOrNull("idempotency_key");
                }
                default -> throw ApiError.badRequest("unknown_field", "unknown field '" + f + "'; " + ENVELOPE);
            }
        }
        r.end();
        if (items == null) {
            throw ApiError.invalidField("records is required; " + ENVELOPE);
        }
        if (items.isEmpty()) {
            throw ApiError.invalidField("records must hold at least one record");
        }
        key = idempotencyKey(key, headerKey);
        RecordBatch batch = new RecordBatch((int) Math.min(Integer.MAX_VALUE - 64, encoded + 48L * items.size()));
        boolean origins = false;
        for (Item it : items) {
            batch.add(it.data, it.tag, it.node != null ? it.node : node, it.origin);
            origins |= it.origin != null;
        }
        return new Write(batch, key, origins);
    }

    private Item record(JsonReader r, int index) {
        String at = "records[" + index + "]";
        byte[] data = null;
        String tag = null;
        String node = null;
        Origin origin = null;
        boolean sawTag = false;
        boolean sawNode = false;
        boolean sawOrigin = false;
        r.beginObject(at);
        while (r.nextField()) {
            String f = r.name();
            switch (f) {
                case "data" -> {
                    if (data != null) {
                        throw ApiError.duplicateField(at + ".data");
                    }
                    data = r.readCanonicalValue();
                    if (data.length > limits.maxRecordBytes()) {
                        throw new ApiError(413, "record_too_large", at + ".data is " + data.length
                                + " bytes; a record's data may be at most " + limits.maxRecordBytes() + " bytes");
                    }
                }
                case "tag" -> {
                    if (sawTag) {
                        throw ApiError.duplicateField(at + ".tag");
                    }
                    sawTag = true;
                    tag = r.nextStringOrNull(at + ".tag");
                    if (tag != null && tag.getBytes(StandardCharsets.UTF_8).length > limits.maxTagBytes()) {
                        throw ApiError.invalidField(at + ".tag is longer than " + limits.maxTagBytes() + " bytes");
                    }
                }
                case "node" -> {
                    if (sawNode) {
                        throw ApiError.duplicateField(at + ".node");
                    }
                    sawNode = true;
                    node = NodeId.check(r.nextStringOrNull(at + ".node"), at + ".node");
                }
                case "origin" -> {
                    if (sawOrigin) {
                        throw ApiError.duplicateField(at + ".origin");
                    }
                    sawOrigin = true;
                    origin = r.nextNull() ? null : origin(r, at + ".origin");
                }
                default -> throw ApiError.unknownField(at + "." + f);
            }
        }
        if (data == null) {
            throw ApiError.invalidField(at + ".data is required");
        }
        return new Item(data, tag, node, origin);
    }

    private Origin origin(JsonReader r, String at) {
        String node = null;
        String topic = null;
        Long seq = null;
        r.beginObject(at);
        while (r.nextField()) {
            String f = r.name();
            switch (f) {
                case "node" -> {
                    if (node != null) {
                        throw ApiError.duplicateField(at + ".node");
                    }
                    node = NodeId.check(r.nextString(at + ".node"), at + ".node");
                }
                case "topic" -> {
                    if (topic != null) {
                        throw ApiError.duplicateField(at + ".topic");
                    }
                    topic = r.nextString(at + ".topic");
                    if (!TopicName.valid(topic)) {
                        throw ApiError.invalidField(at + ".topic is not a valid topic name");
                    }
                }
                case "seq" -> {
                    if (seq != null) {
                        throw ApiError.duplicateField(at + ".seq");
                    }
                    seq = r.nextUnsignedLong(at + ".seq");
                }
                default -> throw ApiError.unknownField(at + "." + f);
            }
        }
        if (node == null || topic == null || seq == null) {
            throw ApiError.invalidField(at + " needs node, topic and seq");
        }
        return new Origin(node, topic, seq);
    }

    static String idempotencyKey(String field, String header) {
        if (field != null && header != null && !field.equals(header)) {
            throw ApiError.invalidField("the Idempotency-Key header and idempotency_key field differ");
        }
        String key = field != null ? field : header;
        if (key != null) {
            int n = key.getBytes(StandardCharsets.UTF_8).length;
            if (n == 0 || n > 128) {
                throw ApiError.invalidField("idempotency_key must be 1 to 128 bytes");
            }
        }
        return key;
    }
}
