package dev.topics.filter;

import dev.topics.json.JsonException;
import dev.topics.json.JsonReader;
import dev.topics.json.JsonReader.Token;
import dev.topics.storage.RecordFilter;
import dev.topics.storage.RecordView;
import dev.topics.storage.TagFilter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Filter expressions (SPEC §6), compiled once into a {@link RecordFilter} tree that
 * evaluates a record without allocating (Glob aside): string operands are kept as UTF-8
 * and compared with the record's stored bytes.
 * <pre>
 * expr := [field, op, value] | ["And", [expr…]] | ["Or", [expr…]] | ["Not", expr]
 * field := tag | node | seq | ts
 * op := Eq | NotEq | In | NotIn | Lt | Lte | Gt | Gte | Glob
 * </pre>
 * Decisions where SPEC is silent (docs/DECISIONS.md): {@code seq}/{@code ts} take u64
 * integers compared unsigned; {@code tag}/{@code node} take strings compared by code point;
 * {@code Eq}/{@code NotEq null} test for a missing tag/node; a record without the field
 * matches no {@code Eq/In/Lt…/Glob} and every {@code NotEq/NotIn}; {@code And []} is true,
 * {@code Or []} false; {@code Glob} is for {@code tag}/{@code node} only.
 *
 * <p>Compiled filters are immutable: share them between threads. Used by diff and delete,
 * and by watch, routers, subscriptions and webhooks: one compiler for all of them.
 *
 * <p>A hot path: a compiled filter runs once per record for each filtered watcher. The
 * watch fan-out it sits on is measured by the P4 fan-out benchmark ({@code benchmarks/run P4},
 * benchmarks/p4/FanOut.java; figures in benchmarks/RESULTS.md), whose watchers are unfiltered:
 * a change here is checked there with a filter added to its watch sessions.
 */
public final class FilterExpr {
    private static final int MAX_DEPTH = 64;

    private FilterExpr() {
    }

    /** Compiles a whole JSON text; JSON {@code null} gives null (no filter). Paths start at {@code filter}. */
    public static RecordFilter compile(byte[] json) {
        JsonReader r = new JsonReader(json, 0, json.length, MAX_DEPTH);
        RecordFilter f = compile(r, "filter");
        r.end();
        return f;
    }

    /** Compiles the reader's next value; JSON {@code null} gives null. */
    public static RecordFilter compile(JsonReader r, String path) {
        if (r.nextNull()) {
            return null;
        }
        return expr(r, path);
    }

    private static RecordFilter expr(JsonReader r, String path) {
        if (r.peek() != Token.BEGIN_ARRAY) {
            r.skipValue();
            throw new InvalidFilter(path, "an expression is an array: [field, op, value], [\"And\", [...]],"
                    + " [\"Or\", [...]] or [\"Not\", expr]");
        }
        r.beginArray(path);
        if (!r.nextElement()) {
            throw new InvalidFilter(path, "an empty array is not an expression");
        }
        String headPath = path + "[0]";
        String head = string(r, headPath, "a field (tag, node, seq, ts) or And, Or, Not");
        RecordFilter f = switch (head) {
            case "And", "Or" -> combine(r, path, head.equals("And"));
            case "Not" -> {
                RecordFilter inner = expr(r, required(r, path, 1, "Not takes one expression"));
                yield v -> !inner.test(v);
            }
            case "tag", "node" -> text(r, path, head.equals("tag"));
            case "seq", "ts" -> number(r, path, head.equals("seq"));
            default -> throw new InvalidFilter(headPath, "unknown field '" + head
                    + "' (expected tag, node, seq or ts, or And, Or, Not)");
        };
        if (r.nextElement()) {
            int n = switch (head) {
                case "And", "Or", "Not" -> 2;
                default -> 3;
            };
            throw new InvalidFilter(path + "[" + n + "]", "unexpected element: " + (n == 3
                    ? "a comparison is exactly [field, op, value]" : head + " takes exactly one operand"));
        }
        return f;
    }

    /** Moves to element {@code index} of the expression at {@code path}; returns the element's path. */
    private static String required(JsonReader r, String path, int index, String what) {
        if (!r.nextElement()) {
            throw new InvalidFilter(path, what);
        }
        return path + "[" + index + "]";
    }

    private static String string(JsonReader r, String path, String expected) {
        if (r.peek() != Token.STRING) {
            r.skipValue();
            throw new InvalidFilter(path, "expected " + expected);
        }
        return r.nextString(path);
    }

    private static RecordFilter combine(JsonReader r, String path, boolean and) {
        String listPath = required(r, path, 1, (and ? "And" : "Or") + " takes an array of expressions");
        if (r.peek() != Token.BEGIN_ARRAY) {
            r.skipValue();
            throw new InvalidFilter(listPath, (and ? "And" : "Or") + " takes an array of expressions");
        }
        r.beginArray(listPath);
        List<RecordFilter> parts = new ArrayList<>();
        while (r.nextElement()) {
            parts.add(expr(r, listPath + "[" + parts.size() + "]"));
        }
        RecordFilter[] all = parts.toArray(new RecordFilter[0]);
        if (and) {
            RecordFilter conj = v -> {
                for (RecordFilter f : all) {
                    if (!f.test(v)) {
                        return false;
                    }
                }
                return true;
            };
            for (RecordFilter f : all) {
                if (f instanceof TagFilter tf) {
                    return pinned(conj, tf.tags()); // whatever And accepts, that part accepts too
                }
            }
            return conj;
        }
        return and ? v -> {
            for (RecordFilter f : all) {
                if (!f.test(v)) {
                    return false;
                }
            }
            return true;
        } : v -> {
            for (RecordFilter f : all) {
                if (f.test(v)) {
                    return true;
                }
            }
            return false;
        };
    }

    private enum Op { Eq, NotEq, In, NotIn, Lt, Lte, Gt, Gte, Glob }

    private static Op op(JsonReader r, String path) {
        String opPath = required(r, path, 1, "a comparison is [field, op, value]");
        String name = string(r, opPath, "an op (Eq, NotEq, In, NotIn, Lt, Lte, Gt, Gte, Glob)");
        try {
            return Op.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new InvalidFilter(opPath, "unknown op '" + name + "' (expected Eq, NotEq, In, NotIn, Lt, Lte, Gt, Gte, Glob)");
        }
    }

    // ------------------------------------------------------------------ seq, ts

    private static RecordFilter number(JsonReader r, String path, boolean seq) {
        String field = seq ? "seq" : "ts";
        Op op = op(r, path);
        String valuePath = required(r, path, 2, "a comparison is [field, op, value]");
        if (op == Op.Glob) {
            r.skipValue();
            throw new InvalidFilter(path + "[1]", "Glob applies to tag and node, not " + field);
        }
        if (op == Op.In || op == Op.NotIn) {
            long[] set = numbers(r, valuePath);
            boolean in = op == Op.In;
            return v -> contains(set, seq ? v.seq() : v.ts()) == in;
        }
        long x = u64(r, valuePath);
        return switch (op) {
            case Eq -> v -> (seq ? v.seq() : v.ts()) == x;
            case NotEq -> v -> (seq ? v.seq() : v.ts()) != x;
            case Lt -> v -> Long.compareUnsigned(seq ? v.seq() : v.ts(), x) < 0;
            case Lte -> v -> Long.compareUnsigned(seq ? v.seq() : v.ts(), x) <= 0;
            case Gt -> v -> Long.compareUnsigned(seq ? v.seq() : v.ts(), x) > 0;
            case Gte -> v -> Long.compareUnsigned(seq ? v.seq() : v.ts(), x) >= 0;
            default -> throw new AssertionError(op);
        };
    }

    private static long u64(JsonReader r, String path) {
        if (r.peek() != Token.NUMBER) {
            r.skipValue();
            throw new InvalidFilter(path, "expected a non-negative integer");
        }
        try {
            return r.nextUnsignedLong(path);
        } catch (JsonException e) {
            if (!JsonException.INVALID_FIELD.equals(e.code())) {
                throw e; // malformed JSON stays invalid_json
            }
            throw new InvalidFilter(path, "expected a non-negative integer below 2^64");
        }
    }

    private static long[] numbers(JsonReader r, String path) {
        if (r.peek() != Token.BEGIN_ARRAY) {
            r.skipValue();
            throw new InvalidFilter(path, "In and NotIn take an array");
        }
        r.beginArray(path);
        long[] out = new long[8];
        int n = 0;
        while (r.nextElement()) {
            if (n == out.length) {
                out = Arrays.copyOf(out, n * 2);
            }
            out[n] = u64(r, path + "[" + n + "]");
            n++;
        }
        return Arrays.copyOf(out, n);
    }

    private static boolean contains(long[] set, long x) {
        for (long s : set) {
            if (s == x) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ tag, node

    private static RecordFilter text(JsonReader r, String path, boolean tag) {
        Op op = op(r, path);
        String valuePath = required(r, path, 2, "a comparison is [field, op, value]");
        if (op == Op.In || op == Op.NotIn) {
            byte[][] set = strings(r, valuePath);
            boolean in = op == Op.In;
            RecordFilter f = v -> has(v, tag) ? anyEqual(v, tag, set) == in : !in;
            return tag && in ? pinned(f, List.of(set)) : f;
        }
        if (r.peek() == Token.NULL && (op == Op.Eq || op == Op.NotEq)) {
            r.nextNull();
            boolean eq = op == Op.Eq;
            return v -> has(v, tag) != eq;
        }
        if (r.peek() != Token.STRING) {
            r.skipValue();
            throw new InvalidFilter(valuePath, "expected a string" + (op == Op.Eq || op == Op.NotEq ? " or null" : ""));
        }
        String s = r.nextString(valuePath);
        if (op == Op.Glob) {
            Glob g = new Glob(s);
            return v -> has(v, tag) && g.matches(tag ? v.tag() : v.node());
        }
        byte[] x = s.getBytes(StandardCharsets.UTF_8);
        if (op == Op.Eq && tag) {
            return pinned(v -> v.hasTag() && compare(v, true, x) == 0, List.of(x));
        }
        return switch (op) {
            case Eq -> v -> has(v, tag) && compare(v, tag, x) == 0;
            case NotEq -> v -> !has(v, tag) || compare(v, tag, x) != 0;
            case Lt -> v -> has(v, tag) && compare(v, tag, x) < 0;
            case Lte -> v -> has(v, tag) && compare(v, tag, x) <= 0;
            case Gt -> v -> has(v, tag) && compare(v, tag, x) > 0;
            case Gte -> v -> has(v, tag) && compare(v, tag, x) >= 0;
            default -> throw new AssertionError(op);
        };
    }

    private static byte[][] strings(JsonReader r, String path) {
        if (r.peek() != Token.BEGIN_ARRAY) {
            r.skipValue();
            throw new InvalidFilter(path, "In and NotIn take an array");
        }
        r.beginArray(path);
        List<byte[]> out = new ArrayList<>();
        while (r.nextElement()) {
            String at = path + "[" + out.size() + "]";
            out.add(string(r, at, "a string").getBytes(StandardCharsets.UTF_8));
        }
        return out.toArray(new byte[0][]);
    }

    /** A filter that also says which tags its accepted records carry (see {@link TagFilter}). */
    private static TagFilter pinned(RecordFilter f, List<byte[]> tags) {
        return new TagFilter() {
            @Override
            public boolean test(RecordView v) {
                return f.test(v);
            }

            @Override
            public List<byte[]> tags() {
                return tags;
            }
        };
    }

    private static boolean has(RecordView v, boolean tag) {
        return tag ? v.hasTag() : v.hasNode();
    }

    /** The record's tag/node bytes against {@code x}, unsigned byte order (= code point order). */
    private static int compare(RecordView v, boolean tag, byte[] x) {
        int off = tag ? v.tagOffset() : v.nodeOffset();
        int len = tag ? v.tagLength() : v.nodeLength();
        return Arrays.compareUnsigned(v.buffer(), off, off + len, x, 0, x.length);
    }

    private static boolean anyEqual(RecordView v, boolean tag, byte[][] set) {
        for (byte[] x : set) {
            if (compare(v, tag, x) == 0) {
                return true;
            }
        }
        return false;
    }
}
