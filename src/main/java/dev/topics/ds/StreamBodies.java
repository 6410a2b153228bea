package dev.topics.ds;

import dev.topics.config.ServerConfig;
import dev.topics.http.ApiError;
import dev.topics.json.JsonOut;
import dev.topics.json.JsonReader;
import dev.topics.storage.RecordBatch;
import dev.topics.storage.RecordView;
import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.List;

/**
 * Bodies of the Durable Streams surface (SPEC §16) to records and back.
 *
 * <p>Writes: on a JSON stream the body is one JSON value, or an array whose elements are
 * the messages (one level flattened); each message is one record of canonical JSON, so
 * {@code /v0} reads it as any record. On any other stream the body is bytes, kept as raw
 * records of the stream's content type, cut into records of at most
 * {@code limits.max_record_bytes} (one write, one commit: the cut is invisible on this
 * surface, which reads bytes back concatenated).
 *
 * <p>Reads: a JSON stream answers a JSON array of the messages; any other, the records'
 * bytes concatenated.
 */
final class StreamBodies {
    private StreamBodies() {
    }

    /**
     * The records of a write body. {@code put}: an empty JSON array is a stream created
     * empty; on a {@code POST} it is refused (400), as is an empty body by the caller.
     */
    static RecordBatch encode(byte[] body, boolean json, String contentType, boolean put, ServerConfig.Limits limits) {
        RecordBatch batch = new RecordBatch(body.length + 64);
        if (body.length == 0) {
            return batch;
        }
        if (!json) {
            int max = (int) Math.min(Integer.MAX_VALUE, limits.maxRecordBytes());
            for (int off = 0; off < body.length; off += max) {
                batch.addRaw(body, off, Math.min(max, body.length - off), contentType);
            }
            return batch;
        }
        JsonReader r = new JsonReader(body, 0, body.length, limits.maxJsonDepth());
        if (r.peek() == JsonReader.Token.BEGIN_ARRAY) {
            r.beginArray("body");
            while (r.nextElement()) {
                add(batch, r.readCanonicalValue(), limits);
            }
            if (batch.count() == 0 && !put) {
                throw ApiError.badRequest("empty_array", "an empty JSON array appends nothing: send at least one message");
            }
        } else {
            add(batch, r.readCanonicalValue(), limits);
        }
        r.end();
        if (batch.count() > limits.maxRecordsPerWrite()) {
            throw ApiError.badRequest("too_many_records", "the body holds " + batch.count() + " messages; at most "
                    + limits.maxRecordsPerWrite() + " per write");
        }
        return batch;
    }

    private static void add(RecordBatch batch, byte[] data, ServerConfig.Limits limits) {
        if (data.length > limits.maxRecordBytes()) {
            throw new ApiError(413, "record_too_large", "a message is " + data.length + " bytes; at most "
                    + limits.maxRecordBytes());
        }
        batch.add(data, null, null, null);
    }

    /** A read's body: a JSON array of the messages, or the bytes. */
    static byte[] body(List<RecordView> records, boolean json) {
        if (json) {
            JsonOut out = new JsonOut((int) Math.min(Integer.MAX_VALUE - 8, 64 + bytes(records)));
            out.beginArray();
            for (RecordView r : records) {
                message(out, r);
            }
            return out.endArray().toByteArray();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, bytes(records)));
        for (RecordView r : records) {
            out.write(r.buffer(), r.dataOffset(), r.dataLength());
        }
        return out.toByteArray();
    }

    /** One message of a JSON stream; a raw record (written by another path) reads as a base64 string. */
    static void message(JsonOut out, RecordView r) {
        if (r.contentType() == null) {
            out.rawValue(r.buffer(), r.dataOffset(), r.dataLength());
        } else {
            out.value(Base64.getEncoder().encodeToString(
                    java.util.Arrays.copyOfRange(r.buffer(), r.dataOffset(), r.dataOffset() + r.dataLength())));
        }
    }

    private static long bytes(List<RecordView> records) {
        long n = 0;
        for (RecordView r : records) {
            n += r.dataLength() + 1;
        }
        return n;
    }
}
