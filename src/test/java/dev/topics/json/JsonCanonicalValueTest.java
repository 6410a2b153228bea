package dev.topics.json;

import static dev.topics.json.JsonTestSupport.bytes;
import static dev.topics.json.JsonTestSupport.reader;
import static dev.topics.json.JsonTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonCanonicalValueTest {

    private static String canonical(String json) {
        JsonReader r = reader(json);
        byte[] out = r.readCanonicalValue();
        r.end();
        return utf8(out);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            ` { "a" : 1 , "b" : [ true , false , null ] } `       | {"a":1,"b":[true,false,null]}
            `[ ]`                                                 | []
            `{ }`                                                 | {}
            `[ [ ] , { } , [ { } ] ]`                             | [[],{},[{}]]
            `{"a":{"b":{"c":[1,[2,[3]]]}}}`                       | {"a":{"b":{"c":[1,[2,[3]]]}}}
            ` "x" `                                               | "x"
            ` 7 `                                                 | 7
            ` null `                                              | null
            `{ "k" : "v w" , "s p" : " " }`                       | {"k":"v w","s p":" "}
            `[ "a,b" , "c:d" , "e]" , "{f" , "\\"} ]" ]`          | ["a,b","c:d","e]","{f","\\"} ]"]
            """)
    void canonicalValueDropsWhitespaceOnly(String json, String expected) {
        assertThat(canonical(json)).isEqualTo(expected);
    }

    @Test
    void canonicalValueDropsEveryKindOfWhitespace() {
        assertThat(canonical("\r\n\t{\t\"a\"\r:\n[\r\n1\t,\t2 ]\n}\r\n")).isEqualTo("{\"a\":[1,2]}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "1.50", "1e3", "1E3", "1e+3", "1E-03", "-0.0", "123456789012345678901234567890",
        "0.000001", "-1.5e-300", "9223372036854775808"})
    void canonicalValueKeepsNumbersVerbatim(String number) {
        assertThat(canonical(" " + number + " ")).isEqualTo(number);
        assertThat(canonical("[ " + number + " ]")).isEqualTo("[" + number + "]");
        assertThat(canonical("{\"n\": " + number + "}")).isEqualTo("{\"n\":" + number + "}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"\\u00e9\"", "\"\\\"quoted\\\"\"", "\"back\\\\slash\"", "\"\\/\\b\\f\\n\\r\\t\"",
        "\"\\ud83d\\ude00\"", "\"\\uD800\"", "\"é€😀 中文\"", "\"tab\\tin text\""})
    void canonicalValueKeepsStringsVerbatimIncludingEscapesAndUtf8(String string) {
        assertThat(canonical(string)).isEqualTo(string);
        assertThat(canonical("[ " + string + " , " + string + " ]")).isEqualTo("[" + string + "," + string + "]");
        assertThat(canonical("{ " + string + " : " + string + " }")).isEqualTo("{" + string + ":" + string + "}");
    }

    @Test
    void canonicalValueReturnsExactBytesForMultibyteUtf8() {
        byte[] doc = bytes("[ \"<C3 A9> <F0 9F 98 80>\" , \"<E2 82 AC>\" ]");
        byte[] out = reader(doc, 64).readCanonicalValue();
        assertThat(out).isEqualTo(bytes("[\"<C3 A9> <F0 9F 98 80>\",\"<E2 82 AC>\"]"));
    }

    @Test
    void canonicalValueReadsOneMemberAndLeavesTheRestToThePullApi() {
        JsonReader r = reader("{ \"records\" : [ { \"value\" : { \"x\" : [ 1 , 2 ] } , \"tag\" : \"t\" } ,"
                + " { \"value\" : 1.50 } ] }");
        r.beginObject("body");
        r.nextField();
        assertThat(r.name()).isEqualTo("records");
        r.beginArray("records");
        StringBuilder seen = new StringBuilder();
        for (int i = 0; r.nextElement(); i++) {
            r.beginObject("records[" + i + "]");
            while (r.nextField()) {
                String name = r.name();
                if (name.equals("value")) {
                    seen.append(utf8(r.readCanonicalValue())).append(';');
                } else {
                    seen.append(r.nextString("records[" + i + "]." + name)).append(';');
                }
            }
        }
        assertThat(r.nextField()).isFalse();
        r.end();
        assertThat(seen).hasToString("{\"x\":[1,2]};t;1.50;");
    }

    @Test
    void compactInputIsCopiedAsIs() {
        byte[] doc = bytes("{\"a\":[1,\"b c\",{\"d\":null}]}");
        assertThat(reader(doc, 64).readCanonicalValue()).isEqualTo(doc);
    }

    // ------------------------------------------------------------------ random round trip

    static IntStream seeds() {
        return IntStream.range(0, 40);
    }

    /** Random documents, pretty-printed with random whitespace, come back as their compact form. */
    @ParameterizedTest
    @MethodSource("seeds")
    void randomPrettyDocumentsCanonicalizeToTheirCompactForm(int seed) {
        Random random = new Random(seed);
        for (int i = 0; i < 25; i++) {
            Doc doc = new Doc(random);
            doc.value(0);
            byte[] pretty = doc.pretty.toString().getBytes(StandardCharsets.UTF_8);
            byte[] compact = doc.compact.toString().getBytes(StandardCharsets.UTF_8);

            JsonReader r = new JsonReader(pretty, 0, pretty.length, 64);
            assertThat(r.readCanonicalValue()).as(doc.pretty.toString()).isEqualTo(compact);
            r.end();

            // The other two readers accept exactly the same text.
            JsonReader skip = new JsonReader(pretty, 0, pretty.length, 64);
            skip.skipValue();
            skip.end();
            JsonReader pull = new JsonReader(pretty, 0, pretty.length, 64);
            JsonTestSupport.walk(pull);
            pull.end();
        }
    }

    /** Builds one random document as compact and pretty text at the same time. */
    private static final class Doc {
        private static final String[] WHITESPACE = {"", "", " ", "  ", "\n", "\r\n", "\t", "\n    ", " \t\r\n "};
        private static final String[] ESCAPES = {"\\n", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\r", "\\t",
            "\\u00e9", "\\u0000", "\\uD83D\\uDE00", "\\ud800", "\\uFFFF"};
        private static final String[] UNICODE = {"é", "€", "😀", "中", "ß", "\u07ff", "\u0800", "\uffef",
            new String(Character.toChars(0x10FFFF)), new String(Character.toChars(0x10000))};

        final Random random;
        final StringBuilder compact = new StringBuilder();
        final StringBuilder pretty = new StringBuilder();

        Doc(Random random) {
            this.random = random;
        }

        void value(int depth) {
            int kind = depth >= 8 ? 2 + random.nextInt(4) : random.nextInt(depth == 0 ? 2 : 6);
            switch (kind) {
                case 0 -> container(depth, '{', '}', true);
                case 1 -> container(depth, '[', ']', false);
                case 2 -> token(string());
                case 3 -> token(number());
                case 4 -> token(random.nextBoolean() ? "true" : "false");
                default -> token("null");
            }
        }

        private void container(int depth, char open, char close, boolean object) {
            token(String.valueOf(open));
            int n = random.nextInt(5);
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    ws();
                    token(",");
                }
                ws();
                if (object) {
                    token(string());
                    ws();
                    token(":");
                    ws();
                }
                value(depth + 1);
            }
            ws();
            token(String.valueOf(close));
        }

        private void token(String text) {
            compact.append(text);
            pretty.append(text);
        }

        private void ws() {
            pretty.append(WHITESPACE[random.nextInt(WHITESPACE.length)]);
        }

        private String string() {
            StringBuilder s = new StringBuilder("\"");
            int n = random.nextInt(12);
            for (int i = 0; i < n; i++) {
                int pick = random.nextInt(10);
                if (pick < 5) {
                    char c;
                    do {
                        c = (char) (0x20 + random.nextInt(0x60)); // printable ASCII, space included
                    } while (c == '"' || c == '\\');
                    s.append(c);
                } else if (pick < 7) {
                    s.append(ESCAPES[random.nextInt(ESCAPES.length)]);
                } else {
                    s.append(UNICODE[random.nextInt(UNICODE.length)]);
                }
            }
            return s.append('"').toString();
        }

        private String number() {
            StringBuilder s = new StringBuilder();
            if (random.nextBoolean()) {
                s.append('-');
            }
            if (random.nextInt(4) == 0) {
                s.append('0');
            } else {
                s.append(1 + random.nextInt(9));
                for (int i = random.nextInt(20); i > 0; i--) {
                    s.append(random.nextInt(10));
                }
            }
            if (random.nextBoolean()) {
                s.append('.');
                for (int i = 1 + random.nextInt(4); i > 0; i--) {
                    s.append(random.nextInt(10));
                }
            }
            if (random.nextInt(3) == 0) {
                s.append(random.nextBoolean() ? 'e' : 'E');
                int sign = random.nextInt(3);
                s.append(sign == 0 ? "" : sign == 1 ? "+" : "-");
                for (int i = 1 + random.nextInt(3); i > 0; i--) {
                    s.append(random.nextInt(10));
                }
            }
            return s.toString();
        }
    }
}
