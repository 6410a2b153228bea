package dev.topics.json;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.topics.testing.FuzzRuns;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes {@link JsonReader} (docs/DECISIONS.md, "Fuzzing"). For any bytes, each of the three
 * ways of reading a document — canonical copy, skip, token-by-token pull — either accepts it
 * or throws a {@link JsonException} ({@code invalid_json} or {@code json_too_deep}, both 400),
 * and all three agree: same code, same message (with the byte offset the client is told).
 * Anything else (an index out of bounds, an assertion inside the reader) is a finding. What is
 * accepted must also round-trip:
 * <ul>
 *   <li>the canonical bytes, read again, are accepted and canonicalise to themselves;
 *   <li>the document's value (strings decoded) is the same read from the input, from its
 *       canonical bytes, and from {@link JsonOut}'s rendering of that value.
 * </ul>
 * Runs over the corpus in {@code JsonReaderFuzzTestInputs/} in every build; {@code bin/fuzz}
 * fuzzes it.
 */
class JsonReaderFuzzTest {
    /** Deep enough that the scope stack grows (it starts at 32), shallow enough to hit the limit. */
    private static final int MAX_DEPTH = 40;

    @AfterAll
    static void report() {
        FuzzRuns.report(JsonReaderFuzzTest.class);
    }

    /** maxDuration is the fuzzing budget in CI (bin/fuzz); a normal build only replays the corpus. */
    @FuzzTest(maxDuration = "15s")
    void readersAgreeAndRoundTrip(byte[] input) {
        FuzzRuns.count(JsonReaderFuzzTest.class, "readersAgreeAndRoundTrip");
        Outcome canonical = outcome(input, Mode.CANONICAL);
        Outcome skip = outcome(input, Mode.SKIP);
        Outcome pull = outcome(input, Mode.PULL);
        // Plain checks with messages built only on failure: this runs ~100k times a second.
        check(Objects.equals(skip.error(), canonical.error()),
                () -> "skip says " + skip.error() + ", canonical says " + canonical.error() + " on " + show(input));
        check(Objects.equals(pull.error(), canonical.error()),
                () -> "pull says " + pull.error() + ", canonical says " + canonical.error() + " on " + show(input));
        if (canonical.error() != null) {
            return;
        }

        byte[] c = canonical.canonical();
        Outcome again = outcome(c, Mode.CANONICAL);
        check(again.error() == null && Arrays.equals(again.canonical(), c),
                () -> "canonical bytes " + show(c) + " of " + show(input) + " read again: " + again.error() + " "
                        + (again.canonical() == null ? "" : show(again.canonical())));
        check(c.length <= input.length, () -> "canonical bytes grew: " + show(input) + " -> " + show(c));

        Node value = pull.value();
        Node ofCanonical = outcome(c, Mode.PULL).value();
        check(value.equals(ofCanonical), () -> "value of " + show(input) + " is " + value + ", of its canonical bytes "
                + ofCanonical);
        JsonOut out = new JsonOut();
        write(value, out);
        byte[] rendered = out.toByteArray();
        Outcome reread = outcome(rendered, Mode.PULL);
        check(reread.error() == null && value.equals(reread.value()),
                () -> "JsonOut rendered " + value + " as " + show(rendered) + ", read back as " + reread);
    }

    private static void check(boolean ok, Supplier<String> what) {
        if (!ok) {
            throw new AssertionError(what.get());
        }
    }

    // ------------------------------------------------------------------ reading three ways

    private enum Mode { CANONICAL, SKIP, PULL }

    /** One read: the error, code and message (null when accepted), the canonical bytes, the value. */
    private record Outcome(String error, byte[] canonical, Node value) {
    }

    private static Outcome outcome(byte[] doc, Mode mode) {
        JsonReader r = new JsonReader(doc, 0, doc.length, MAX_DEPTH);
        try {
            byte[] canonical = null;
            Node value = null;
            switch (mode) {
                case CANONICAL -> canonical = r.readCanonicalValue();
                case SKIP -> r.skipValue();
                case PULL -> value = read(r);
            }
            r.end();
            return new Outcome(null, canonical, value);
        } catch (JsonException e) {
            check(e.code().equals(JsonException.INVALID_JSON) || e.code().equals(JsonException.JSON_TOO_DEEP),
                    () -> "error code " + e.code() + " (" + e.getMessage() + ") for " + show(doc));
            return new Outcome(e.code() + ": " + e.getMessage(), null, null);
        }
    }

    /** The JSON value, as far as the grammar cares: numbers as their text, strings decoded. */
    private sealed interface Node {
    }

    private record Obj(List<Member> members) implements Node {
    }

    private record Member(String name, Node value) {
    }

    private record Arr(List<Node> elements) implements Node {
    }

    private record Str(String value) implements Node {
    }

    private record Num(String text) implements Node {
    }

    private record Bool(boolean value) implements Node {
    }

    private record Null() implements Node {
    }

    private static Node read(JsonReader r) {
        return switch (r.peek()) {
            case BEGIN_OBJECT -> {
                r.beginObject("doc");
                List<Member> members = new ArrayList<>();
                while (r.nextField()) {
                    String name = r.name();
                    members.add(new Member(name, read(r)));
                }
                yield new Obj(members);
            }
            case BEGIN_ARRAY -> {
                r.beginArray("doc");
                List<Node> elements = new ArrayList<>();
                while (r.nextElement()) {
                    elements.add(read(r));
                }
                yield new Arr(elements);
            }
            case STRING -> new Str(r.nextString("doc"));
            case NUMBER -> new Num(new String(r.readCanonicalValue(), StandardCharsets.US_ASCII));
            case TRUE, FALSE -> new Bool(r.nextBoolean("doc"));
            case NULL -> {
                r.nextNull();
                yield new Null();
            }
            default -> throw new AssertionError("no value where one is due: " + r.peek());
        };
    }

    private static void write(Node n, JsonOut out) {
        switch (n) {
            case Obj o -> {
                out.beginObject();
                for (Member m : o.members()) {
                    out.name(m.name());
                    write(m.value(), out);
                }
                out.endObject();
            }
            case Arr a -> {
                out.beginArray();
                for (Node e : a.elements()) {
                    write(e, out);
                }
                out.endArray();
            }
            case Str s -> out.value(s.value());
            case Num num -> {
                byte[] b = num.text().getBytes(StandardCharsets.US_ASCII);
                out.rawValue(b, 0, b.length);
            }
            case Bool b -> out.value(b.value());
            case Null x -> out.nullValue();
        }
    }

    private static String show(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            int c = x & 0xFF;
            s.append(c >= 0x20 && c < 0x7F && c != '\\' ? String.valueOf((char) c) : String.format("\\x%02X", c));
        }
        return s.toString();
    }
}
