package dev.topics.filter;

import dev.topics.storage.RecordView;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The tables behind {@link FilterExprTest}: records to test against and, per row, a filter
 * (JSON text), a record and the expected answer — or, for invalid filters, the expected path.
 */
final class FilterCases {
    private FilterCases() {
    }

    static final String U64_MAX = "18446744073709551615";
    static final String I64_MAX = "9223372036854775807";
    static final String I64_MAX_PLUS_1 = "9223372036854775808";

    /** A record to test against; shown by its fields in test names. */
    record Rec(long seq, long ts, String tag, String node) {
        RecordView view() {
            return RecordView.of(seq, ts, tag, node, null, "1".getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "{seq=" + Long.toUnsignedString(seq) + " ts=" + Long.toUnsignedString(ts)
                    + " tag=" + quote(tag) + " node=" + quote(node) + "}";
        }

        private static String quote(String s) {
            return s == null ? "none" : "'" + s + "'";
        }
    }

    static Rec tagged(String tag) {
        return new Rec(10, 1000, tag, null);
    }

    static Rec noded(String node) {
        return new Rec(10, 1000, null, node);
    }

    static Rec bare() {
        return new Rec(10, 1000, null, null);
    }

    static Rec withSeq(long seq) {
        return new Rec(seq, 1000, "t", "n");
    }

    static Rec withTs(long ts) {
        return new Rec(10, ts, "t", "n");
    }

    /** A record whose {@code field} (tag or node) is {@code value}; the other one is absent. */
    static Rec withString(String field, String value) {
        return field.equals("tag") ? tagged(value) : noded(value);
    }

    /** A record whose {@code field} (seq or ts) is {@code value}. */
    static Rec withNumber(String field, long value) {
        return field.equals("seq") ? withSeq(value) : withTs(value);
    }

    static Arguments row(String filter, Rec rec, boolean expected) {
        return Arguments.of(filter, rec, expected);
    }

    // ------------------------------------------------------------------ comparisons

    /** Every op on tag and node: a matching record, a non-matching one and one without the field. */
    static Stream<Arguments> stringComparisons() {
        List<Arguments> rows = new ArrayList<>();
        for (String f : List.of("tag", "node")) {
            Rec v = withString(f, "order-7731");
            Rec none = bare();
            String p = "[\"" + f + "\",";
            rows.add(row(p + "\"Eq\",\"order-7731\"]", v, true));
            rows.add(row(p + "\"Eq\",\"order-7732\"]", v, false));
            rows.add(row(p + "\"Eq\",\"order\"]", v, false));
            rows.add(row(p + "\"Eq\",\"order-7731\"]", none, false));
            rows.add(row(p + "\"Eq\",\"order\\u002d7731\"]", v, true)); // escapes are decoded
            rows.add(row(p + "\"Eq\",null]", v, false));
            rows.add(row(p + "\"Eq\",null]", none, true));
            rows.add(row(p + "\"NotEq\",\"order-7731\"]", v, false));
            rows.add(row(p + "\"NotEq\",\"order-7732\"]", v, true));
            rows.add(row(p + "\"NotEq\",\"order-7731\"]", none, true));
            rows.add(row(p + "\"NotEq\",null]", v, true));
            rows.add(row(p + "\"NotEq\",null]", none, false));
            rows.add(row(p + "\"In\",[\"a\",\"order-7731\",\"b\"]]", v, true));
            rows.add(row(p + "\"In\",[\"a\",\"b\"]]", v, false));
            rows.add(row(p + "\"In\",[\"order-7731\"]]", none, false));
            rows.add(row(p + "\"NotIn\",[\"a\",\"order-7731\"]]", v, false));
            rows.add(row(p + "\"NotIn\",[\"a\",\"b\"]]", v, true));
            rows.add(row(p + "\"NotIn\",[\"order-7731\"]]", none, true));
            rows.add(row(p + "\"Lt\",\"order-7732\"]", v, true));
            rows.add(row(p + "\"Lt\",\"order-7731\"]", v, false));
            rows.add(row(p + "\"Lt\",\"order-7730\"]", v, false));
            rows.add(row(p + "\"Lt\",\"order-7731-\"]", v, true)); // a prefix sorts first
            rows.add(row(p + "\"Lt\",\"\\uffff\"]", none, false));
            rows.add(row(p + "\"Lte\",\"order-7731\"]", v, true));
            rows.add(row(p + "\"Lte\",\"order-7732\"]", v, true));
            rows.add(row(p + "\"Lte\",\"order-7730\"]", v, false));
            rows.add(row(p + "\"Lte\",\"\\uffff\"]", none, false));
            rows.add(row(p + "\"Gt\",\"order-7730\"]", v, true));
            rows.add(row(p + "\"Gt\",\"order\"]", v, true));
            rows.add(row(p + "\"Gt\",\"order-7731\"]", v, false));
            rows.add(row(p + "\"Gt\",\"order-7732\"]", v, false));
            rows.add(row(p + "\"Gt\",\"\"]", none, false));
            rows.add(row(p + "\"Gte\",\"order-7731\"]", v, true));
            rows.add(row(p + "\"Gte\",\"order-7730\"]", v, true));
            rows.add(row(p + "\"Gte\",\"order-7732\"]", v, false));
            rows.add(row(p + "\"Gte\",\"\"]", none, false));
            rows.add(row(p + "\"Glob\",\"order-*\"]", v, true));
            rows.add(row(p + "\"Glob\",\"x*\"]", v, false));
            rows.add(row(p + "\"Glob\",\"*\"]", none, false));
        }
        // A filter on one field never looks at the other.
        Rec both = new Rec(10, 1000, "a", "b");
        rows.add(row("[\"tag\",\"Eq\",\"b\"]", both, false));
        rows.add(row("[\"node\",\"Eq\",\"a\"]", both, false));
        rows.add(row("[\"node\",\"Eq\",null]", tagged("a"), true));
        rows.add(row("[\"tag\",\"Eq\",null]", noded("b"), true));
        rows.add(row("[\"tag\",\"Glob\",\"*\"]", noded("b"), false));
        return rows.stream();
    }

    /** Strings order by code point (UTF-8 byte order), not by UTF-16 unit or locale. */
    static Stream<Arguments> stringOrder() {
        return Stream.of(
                row("[\"tag\",\"Lt\",\"b\"]", tagged("a"), true),
                row("[\"tag\",\"Lt\",\"ä\"]", tagged("b"), true),
                row("[\"tag\",\"Gt\",\"b\"]", tagged("ä"), true),
                row("[\"tag\",\"Gt\",\"z\"]", tagged("ä"), true),
                row("[\"tag\",\"Lt\",\"a\"]", tagged("Z"), true),   // upper case first
                row("[\"tag\",\"Gt\",\"a\"]", tagged("B"), false),
                // U+1F600 is above U+FF5E, though its first UTF-16 unit (D83D) is below FF5E.
                row("[\"tag\",\"Gt\",\"\uFF5E\"]", tagged("😀"), true),
                row("[\"tag\",\"Lt\",\"\uFF5E\"]", tagged("😀"), false),
                row("[\"tag\",\"Lt\",\"😀\"]", tagged("\uFF5E"), true),
                row("[\"node\",\"Gte\",\"\\ud83d\\ude00\"]", noded("😀"), true),
                row("[\"node\",\"Lte\",\"\\ud83d\\ude00\"]", noded("😀"), true),
                row("[\"node\",\"Eq\",\"\\ud83d\\ude00\"]", noded("😀"), true),
                row("[\"node\",\"Lt\",\"\uFF5E\"]", noded("😀"), false));
    }

    /** Every op on seq and ts, around the record's value, at 0, and across the signed boundary. */
    static Stream<Arguments> numberComparisons() {
        List<Arguments> rows = new ArrayList<>();
        for (String f : List.of("seq", "ts")) {
            Rec ten = withNumber(f, 10);
            Rec zero = withNumber(f, 0);
            Rec max = withNumber(f, -1L);                 // 2^64-1
            Rec high = withNumber(f, Long.MIN_VALUE);     // 2^63
            Rec i64max = withNumber(f, Long.MAX_VALUE);   // 2^63-1
            String p = "[\"" + f + "\",";
            rows.add(row(p + "\"Eq\",10]", ten, true));
            rows.add(row(p + "\"Eq\",9]", ten, false));
            rows.add(row(p + "\"Eq\",11]", ten, false));
            rows.add(row(p + "\"Eq\",0]", zero, true));
            rows.add(row(p + "\"Eq\"," + U64_MAX + "]", max, true));
            rows.add(row(p + "\"Eq\"," + U64_MAX + "]", i64max, false));
            rows.add(row(p + "\"NotEq\",10]", ten, false));
            rows.add(row(p + "\"NotEq\",9]", ten, true));
            rows.add(row(p + "\"NotEq\",11]", ten, true));
            rows.add(row(p + "\"NotEq\",0]", zero, false));
            rows.add(row(p + "\"Lt\",11]", ten, true));
            rows.add(row(p + "\"Lt\",10]", ten, false));
            rows.add(row(p + "\"Lt\",9]", ten, false));
            rows.add(row(p + "\"Lt\",0]", zero, false));
            rows.add(row(p + "\"Lt\",1]", zero, true));
            rows.add(row(p + "\"Lt\",1]", max, false));
            rows.add(row(p + "\"Lt\"," + I64_MAX + "]", high, false));
            rows.add(row(p + "\"Lt\"," + I64_MAX_PLUS_1 + "]", i64max, true));
            rows.add(row(p + "\"Lt\"," + U64_MAX + "]", i64max, true));
            rows.add(row(p + "\"Lt\"," + U64_MAX + "]", max, false));
            rows.add(row(p + "\"Lte\",10]", ten, true));
            rows.add(row(p + "\"Lte\",11]", ten, true));
            rows.add(row(p + "\"Lte\",9]", ten, false));
            rows.add(row(p + "\"Lte\",0]", zero, true));
            rows.add(row(p + "\"Lte\"," + U64_MAX + "]", max, true));
            rows.add(row(p + "\"Lte\"," + I64_MAX + "]", max, false));
            rows.add(row(p + "\"Gt\",9]", ten, true));
            rows.add(row(p + "\"Gt\",10]", ten, false));
            rows.add(row(p + "\"Gt\",11]", ten, false));
            rows.add(row(p + "\"Gt\",0]", zero, false));
            rows.add(row(p + "\"Gt\",0]", ten, true));
            rows.add(row(p + "\"Gt\"," + I64_MAX + "]", max, true));
            rows.add(row(p + "\"Gt\"," + I64_MAX + "]", high, true));
            rows.add(row(p + "\"Gt\"," + I64_MAX + "]", i64max, false));
            rows.add(row(p + "\"Gt\"," + U64_MAX + "]", max, false));
            rows.add(row(p + "\"Gt\",1]", max, true));
            rows.add(row(p + "\"Gte\",10]", ten, true));
            rows.add(row(p + "\"Gte\",9]", ten, true));
            rows.add(row(p + "\"Gte\",11]", ten, false));
            rows.add(row(p + "\"Gte\",0]", zero, true));
            rows.add(row(p + "\"Gte\",1]", zero, false));
            rows.add(row(p + "\"Gte\"," + I64_MAX_PLUS_1 + "]", high, true));
            rows.add(row(p + "\"Gte\"," + I64_MAX_PLUS_1 + "]", max, true));
            rows.add(row(p + "\"Gte\"," + I64_MAX_PLUS_1 + "]", i64max, false));
            rows.add(row(p + "\"Gte\"," + U64_MAX + "]", max, true));
            rows.add(row(p + "\"In\",[1,10,20]]", ten, true));
            rows.add(row(p + "\"In\",[1,9,11,20]]", ten, false));
            rows.add(row(p + "\"In\",[0]]", zero, true));
            rows.add(row(p + "\"In\",[" + U64_MAX + "]]", max, true));
            rows.add(row(p + "\"In\",[" + I64_MAX + "," + U64_MAX + "]]", high, false));
            rows.add(row(p + "\"NotIn\",[1,10,20]]", ten, false));
            rows.add(row(p + "\"NotIn\",[1,9,11,20]]", ten, true));
            rows.add(row(p + "\"NotIn\",[" + U64_MAX + "]]", max, false));
            rows.add(row(p + "\"NotIn\",[" + U64_MAX + "]]", i64max, true));
        }
        // seq and ts are separate fields.
        Rec r = new Rec(5, 7, null, null);
        rows.add(row("[\"seq\",\"Eq\",7]", r, false));
        rows.add(row("[\"ts\",\"Eq\",5]", r, false));
        rows.add(row("[\"seq\",\"Eq\",5]", r, true));
        rows.add(row("[\"ts\",\"Eq\",7]", r, true));
        return rows.stream();
    }

    // ------------------------------------------------------------------ In / NotIn

    static Stream<Arguments> memberships() {
        List<Arguments> rows = new ArrayList<>();
        StringBuilder many = new StringBuilder("[\"tag\",\"In\",[");
        StringBuilder seqs = new StringBuilder("[\"seq\",\"In\",[");
        for (int i = 0; i < 200; i++) {
            many.append(i == 0 ? "" : ",").append("\"t").append(i).append('"');
            seqs.append(i == 0 ? "" : ",").append(i * 3);
        }
        String manyTags = many.append("]]").toString();
        String manySeqs = seqs.append("]]").toString();
        rows.add(row(manyTags, tagged("t199"), true));
        rows.add(row(manyTags, tagged("t0"), true));
        rows.add(row(manyTags, tagged("t200"), false));
        rows.add(row(manyTags, tagged("t"), false));
        rows.add(row(manySeqs, withSeq(597), true));
        rows.add(row(manySeqs, withSeq(598), false));
        rows.add(row("[\"tag\",\"In\",[\"a\",\"a\",\"b\"]]", tagged("a"), true));
        rows.add(row("[\"tag\",\"NotIn\",[\"a\",\"a\",\"b\"]]", tagged("b"), false));
        rows.add(row("[\"tag\",\"NotIn\",[\"a\",\"a\",\"b\"]]", tagged("c"), true));
        rows.add(row("[\"node\",\"In\",[\"n1\",\"n2\"]]", noded("n2"), true));
        rows.add(row("[\"node\",\"In\",[\"n1\",\"n2\"]]", noded("n3"), false));
        rows.add(row("[\"node\",\"NotIn\",[\"n1\",\"n2\"]]", noded("n3"), true));
        rows.add(row("[\"ts\",\"In\",[999,1000]]", bare(), true));
        rows.add(row("[\"ts\",\"NotIn\",[999,1000]]", bare(), false));
        for (String f : List.of("tag", "node", "seq", "ts")) {
            for (Rec r : List.of(new Rec(10, 1000, "a", "b"), bare(), withNumber(f, 0))) {
                rows.add(row("[\"" + f + "\",\"In\",[]]", r, false));
                rows.add(row("[\"" + f + "\",\"NotIn\",[]]", r, true));
                rows.add(row("[\"" + f + "\",\"NotIn\",[ ]]", r, true));
            }
        }
        return rows.stream();
    }

    // ------------------------------------------------------------------ Glob

    /** {@code (pattern, value, expected)}, checked on tag and on node. */
    static Stream<Arguments> globs() {
        String as = "a".repeat(40);
        return Stream.of(
                Arguments.of("order-*", "order-7731", true),
                Arguments.of("order-*", "order-", true),
                Arguments.of("order-*", "order", false),
                Arguments.of("order-*", "xorder-1", false),
                Arguments.of("*-7731", "order-7731", true),
                Arguments.of("*-7731", "-7731", true),
                Arguments.of("*-7731", "order-77310", false),
                Arguments.of("o?der-7731", "order-7731", true),
                Arguments.of("o?der-7731", "oXder-7731", true),
                Arguments.of("o?der-7731", "oder-7731", false),
                Arguments.of("o?der-7731", "orrder-7731", false),
                Arguments.of("order-7731", "order-7731", true),
                Arguments.of("order-7731", "order-77311", false),
                Arguments.of("*", "order-7731", true),
                Arguments.of("*", "x", true),
                Arguments.of("**", "x", true),
                Arguments.of("?", "x", true),
                Arguments.of("?", "xy", false),
                Arguments.of("??", "x", false),
                Arguments.of("order-????", "order-7731", true),
                Arguments.of("order-???", "order-7731", false),
                Arguments.of("order-?????", "order-7731", false),
                Arguments.of("?*", "x", true),
                Arguments.of("*?*", "x", true),
                Arguments.of("a*b*c", "abc", true),
                Arguments.of("a*b*c", "aXbYc", true),
                Arguments.of("a*b*c", "abcabc", true),
                Arguments.of("a*b*c", "aXbYcZ", false),
                Arguments.of("a*b*c", "ab", false),
                Arguments.of("a*b*c", "acb", false),
                Arguments.of("a*b*c", "xabc", false),
                Arguments.of("*a*a*a*b", as, false),
                Arguments.of("*a*a*a*b", as + "b", true),
                // Everything but * and ? is literal: no regex, no classes, no escapes.
                Arguments.of("a.c", "a.c", true),
                Arguments.of("a.c", "abc", false),
                Arguments.of("a[b]c", "a[b]c", true),
                Arguments.of("a[b]c", "abc", false),
                Arguments.of("[ab]", "a", false),
                Arguments.of("[!a]", "[!a]", true),
                Arguments.of("a+b", "a+b", true),
                Arguments.of("a+b", "aab", false),
                Arguments.of("a|b", "a", false),
                Arguments.of("(a)", "(a)", true),
                Arguments.of("^a$", "^a$", true),
                Arguments.of("a{2}", "aa", false),
                Arguments.of("a\\*", "a\\xyz", true),
                Arguments.of("a\\*", "a*", false),
                Arguments.of("a\\?", "a\\b", true),
                Arguments.of("a\\?", "a?", false),
                Arguments.of("A*", "abc", false),
                // ? is one code point, whatever its UTF-8 or UTF-16 length.
                Arguments.of("?", "ü", true),
                Arguments.of("??", "ü", false),
                Arguments.of("?", "😀", true),
                Arguments.of("??", "😀", false),
                Arguments.of("g?n", "gün", true),
                Arguments.of("g??n", "gün", false),
                Arguments.of("?-?", "😀-ü", true),
                Arguments.of("*ü", "grün", false),
                Arguments.of("*ün", "grün", true),
                Arguments.of("😀*", "😀x", true),
                Arguments.of("*😀", "x😀", true));
    }

    // ------------------------------------------------------------------ combinators

    static Stream<Arguments> combinators() {
        String t = "[\"tag\",\"Glob\",\"order-*\"]";   // true on the record below
        String f = "[\"seq\",\"Gt\",100]";             // false on it
        Rec r = new Rec(10, 1000, "order-7731", "n1");
        return Stream.of(
                row("[\"And\",[]]", r, true),
                row("[\"And\",[]]", bare(), true),
                row("[\"Or\",[]]", r, false),
                row("[\"Or\",[]]", bare(), false),
                row("[\"Not\",[\"And\",[]]]", r, false),
                row("[\"Not\",[\"Or\",[]]]", r, true),
                row("[\"And\",[" + t + "]]", r, true),
                row("[\"And\",[" + f + "]]", r, false),
                row("[\"Or\",[" + t + "]]", r, true),
                row("[\"Or\",[" + f + "]]", r, false),
                row("[\"And\",[" + t + "," + t + "]]", r, true),
                row("[\"And\",[" + t + "," + f + "]]", r, false),
                row("[\"And\",[" + f + "," + t + "]]", r, false),
                row("[\"And\",[" + t + "," + t + "," + f + "]]", r, false),
                row("[\"Or\",[" + f + "," + f + "]]", r, false),
                row("[\"Or\",[" + f + "," + t + "]]", r, true),
                row("[\"Or\",[" + t + "," + f + "]]", r, true),
                row("[\"Or\",[" + f + "," + f + "," + t + "]]", r, true),
                row("[\"Not\"," + t + "]", r, false),
                row("[\"Not\"," + f + "]", r, true),
                row("[\"Not\",[\"Not\"," + t + "]]", r, true),
                row("[\"Not\",[\"tag\",\"Eq\",null]]", r, true),
                row("[\"Not\",[\"tag\",\"Eq\",\"x\"]]", bare(), true),
                row("[\"Not\",[\"tag\",\"Glob\",\"*\"]]", bare(), true),
                row("[\"And\",[[\"tag\",\"Glob\",\"order-*\"],[\"Or\",[[\"seq\",\"Lt\",5],[\"seq\",\"Gt\",9]]]]]", r, true),
                row("[\"And\",[[\"tag\",\"Glob\",\"order-*\"],[\"Or\",[[\"seq\",\"Lt\",5],[\"seq\",\"Gt\",10]]]]]", r, false),
                row("[\"Or\",[[\"And\",[" + t + "," + f + "]],[\"Not\"," + f + "]]]", r, true),
                row("[\"Or\",[[\"And\",[" + t + "," + f + "]],[\"Not\"," + t + "]]]", r, false),
                row(" [ \"And\" , [ [ \"node\" , \"Eq\" , \"n1\" ] , [ \"ts\" , \"Gte\" , 1000 ] ] ] ", r, true));
    }

    /** {@code k} Nots around a comparison: {@code k + 1} nested arrays. */
    static String nots(int k, String inner) {
        return "[\"Not\",".repeat(k) + inner + "]".repeat(k);
    }

    /** {@code k} single-element Ands around a comparison: {@code 2k + 1} nested arrays. */
    static String ands(int k, String inner) {
        return "[\"And\",[".repeat(k) + inner + "]]".repeat(k);
    }

    // ------------------------------------------------------------------ invalid

    /** {@code (filter, path of the bad part)} for {@code compile(byte[])}. */
    static Stream<Arguments> invalid() {
        return Stream.of(
                // not an expression
                Arguments.of("{}", "filter"),
                Arguments.of("{\"tag\":\"x\"}", "filter"),
                Arguments.of("\"tag\"", "filter"),
                Arguments.of("5", "filter"),
                Arguments.of("true", "filter"),
                // wrong arity
                Arguments.of("[]", "filter"),
                Arguments.of("[\"tag\"]", "filter"),
                Arguments.of("[\"tag\",\"Eq\"]", "filter"),
                Arguments.of("[\"tag\",\"Eq\",\"x\",\"y\"]", "filter[3]"), // the first extra element
                Arguments.of("[\"seq\",\"Eq\",1,2]", "filter[3]"),
                Arguments.of("[\"And\"]", "filter"),
                Arguments.of("[\"And\",[],[]]", "filter[2]"),
                Arguments.of("[\"Or\"]", "filter"),
                Arguments.of("[\"Not\"]", "filter"),
                Arguments.of("[\"Not\",[\"tag\",\"Eq\",\"x\"],[\"tag\",\"Eq\",\"y\"]]", "filter[2]"),
                // unknown field
                Arguments.of("[\"tags\",\"Eq\",\"x\"]", "filter[0]"),
                Arguments.of("[\"Tag\",\"Eq\",\"x\"]", "filter[0]"),
                Arguments.of("[\"SEQ\",\"Eq\",1]", "filter[0]"),
                Arguments.of("[\"\",\"Eq\",\"x\"]", "filter[0]"),
                Arguments.of("[5,\"Eq\",\"x\"]", "filter[0]"),
                Arguments.of("[null,\"Eq\",\"x\"]", "filter[0]"),
                Arguments.of("[[\"tag\"],\"Eq\",\"x\"]", "filter[0]"),
                // unknown op
                Arguments.of("[\"tag\",\"eq\",\"x\"]", "filter[1]"),
                Arguments.of("[\"tag\",\"EQ\",\"x\"]", "filter[1]"),
                Arguments.of("[\"tag\",\"Equals\",\"x\"]", "filter[1]"),
                Arguments.of("[\"tag\",\"Bad\",\"x\"]", "filter[1]"),
                Arguments.of("[\"seq\",\"Ne\",1]", "filter[1]"),
                Arguments.of("[\"tag\",\"glob\",\"x\"]", "filter[1]"),
                Arguments.of("[\"tag\",5,\"x\"]", "filter[1]"),
                Arguments.of("[\"tag\",null,\"x\"]", "filter[1]"),
                // op not allowed for the field
                Arguments.of("[\"seq\",\"Glob\",\"1*\"]", "filter[1]"),
                Arguments.of("[\"ts\",\"Glob\",5]", "filter[1]"),
                Arguments.of("[\"seq\",\"Glob\",5]", "filter[1]"),
                // wrong value type
                Arguments.of("[\"seq\",\"Eq\",\"5\"]", "filter[2]"),
                Arguments.of("[\"ts\",\"Gt\",\"5\"]", "filter[2]"),
                Arguments.of("[\"tag\",\"Eq\",5]", "filter[2]"),
                Arguments.of("[\"node\",\"Lt\",5]", "filter[2]"),
                Arguments.of("[\"tag\",\"Glob\",5]", "filter[2]"),
                Arguments.of("[\"tag\",\"Eq\",true]", "filter[2]"),
                Arguments.of("[\"tag\",\"Eq\",[\"x\"]]", "filter[2]"),
                Arguments.of("[\"tag\",\"Eq\",{}]", "filter[2]"),
                Arguments.of("[\"seq\",\"Lt\",-1]", "filter[2]"),
                Arguments.of("[\"ts\",\"Gte\",-5]", "filter[2]"),
                Arguments.of("[\"seq\",\"Lt\",1.5]", "filter[2]"),
                Arguments.of("[\"seq\",\"Lt\",1.0]", "filter[2]"),
                Arguments.of("[\"seq\",\"Lt\",1e3]", "filter[2]"),
                Arguments.of("[\"seq\",\"Eq\",18446744073709551616]", "filter[2]"),
                Arguments.of("[\"ts\",\"Eq\",99999999999999999999]", "filter[2]"),
                Arguments.of("[\"seq\",\"Eq\",null]", "filter[2]"),
                Arguments.of("[\"ts\",\"NotEq\",null]", "filter[2]"),
                Arguments.of("[\"seq\",\"Eq\",true]", "filter[2]"),
                Arguments.of("[\"seq\",\"Eq\",[1]]", "filter[2]"),
                Arguments.of("[\"tag\",\"Lt\",null]", "filter[2]"),
                Arguments.of("[\"node\",\"Gte\",null]", "filter[2]"),
                Arguments.of("[\"tag\",\"Glob\",null]", "filter[2]"),
                Arguments.of("[\"seq\",\"In\",5]", "filter[2]"),
                Arguments.of("[\"seq\",\"In\",null]", "filter[2]"),
                Arguments.of("[\"tag\",\"In\",\"a\"]", "filter[2]"),
                Arguments.of("[\"tag\",\"NotIn\",null]", "filter[2]"),
                Arguments.of("[\"tag\",\"In\",{}]", "filter[2]"),
                Arguments.of("[\"tag\",\"In\",[\"a\",1]]", "filter[2][1]"),
                Arguments.of("[\"tag\",\"In\",[null]]", "filter[2][0]"),
                Arguments.of("[\"node\",\"NotIn\",[\"a\",\"b\",null]]", "filter[2][2]"),
                Arguments.of("[\"tag\",\"In\",[[\"a\"]]]", "filter[2][0]"),
                Arguments.of("[\"seq\",\"In\",[1,\"2\"]]", "filter[2][1]"),
                Arguments.of("[\"ts\",\"NotIn\",[1,2,-3]]", "filter[2][2]"),
                Arguments.of("[\"seq\",\"In\",[null]]", "filter[2][0]"),
                Arguments.of("[\"seq\",\"In\",[1.5]]", "filter[2][0]"),
                // combinators
                Arguments.of("[\"And\",{}]", "filter[1]"),
                Arguments.of("[\"And\",{\"a\":[\"tag\",\"Eq\",\"x\"]}]", "filter[1]"),
                Arguments.of("[\"Or\",null]", "filter[1]"),
                Arguments.of("[\"Or\",\"x\"]", "filter[1]"),
                Arguments.of("[\"And\",[\"tag\",\"Eq\",\"x\"]]", "filter[1][0]"),
                Arguments.of("[\"And\",[[]]]", "filter[1][0]"),
                Arguments.of("[\"And\",[[\"tag\",\"Eq\",\"x\"],5]]", "filter[1][1]"),
                Arguments.of("[\"Or\",[[\"tag\",\"Eq\",\"x\"],null]]", "filter[1][1]"),
                Arguments.of("[\"Not\",5]", "filter[1]"),
                Arguments.of("[\"Not\",[]]", "filter[1]"),
                Arguments.of("[\"Not\",[\"tag\"]]", "filter[1]"),
                Arguments.of("[\"Not\",[\"Not\"]]", "filter[1]"),
                // nested errors carry the whole path
                Arguments.of("[\"And\",[[\"Or\",[[\"tag\",\"Bad\",\"x\"]]]]]", "filter[1][0][1][0][1]"),
                Arguments.of("[\"And\",[[\"tag\",\"Eq\",\"x\"],[\"Not\",[\"seq\",\"Lt\",\"1\"]]]]", "filter[1][1][1][2]"),
                Arguments.of("[\"Or\",[[\"tag\",\"Eq\",\"x\"],[\"tag\",\"Eq\",\"y\"],[\"tagz\",\"Eq\",\"z\"]]]", "filter[1][2][0]"),
                Arguments.of("[\"Not\",[\"Not\",[\"node\",\"In\",[\"a\",7]]]]", "filter[1][1][2][1]"),
                Arguments.of("[\"And\",[[\"Or\",[]],[\"Not\",[\"tag\",\"Eq\"]]]]", "filter[1][1][1]"),
                Arguments.of("[\"And\",[[\"Or\",[[\"seq\",\"Glob\",\"*\"]]]]]", "filter[1][0][1][0][1]"));
    }
}
