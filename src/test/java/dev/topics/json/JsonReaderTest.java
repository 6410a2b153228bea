package dev.topics.json;

import static dev.topics.json.JsonTestSupport.bytes;
import static dev.topics.json.JsonTestSupport.consume;
import static dev.topics.json.JsonTestSupport.reader;
import static dev.topics.json.JsonTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.topics.json.JsonReader.Token;
import dev.topics.json.JsonTestSupport.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonReaderTest {

    // ------------------------------------------------------------------ pull API

    @Test
    void readsTypedMembersOfAnObject() {
        JsonReader r = reader(" { \"name\" : \"x\", \"count\":3 ,\"ok\":true,\"off\":false,\"none\":null,"
                + "\"maybe\":null,\"list\":[1, 2],\"nested\":{}} ");
        r.beginObject("body");
        assertThat(r.nextField()).isTrue();
        assertThat(r.name()).isEqualTo("name");
        assertThat(r.nextString("name")).isEqualTo("x");
        assertThat(r.nextField()).isTrue();
        assertThat(r.name()).isEqualTo("count");
        assertThat(r.nextU64("count")).isEqualTo(3);
        assertThat(r.nextField()).isTrue();
        assertThat(r.name()).isEqualTo("ok");
        assertThat(r.nextBoolean("ok")).isTrue();
        assertThat(r.nextField()).isTrue();
        assertThat(r.name()).isEqualTo("off");
        assertThat(r.nextBoolean("off")).isFalse();
        assertThat(r.nextField()).isTrue();
        assertThat(r.name()).isEqualTo("none");
        assertThat(r.nextStringOrNull("none")).isNull();
        assertThat(r.nextField()).isTrue();
        assertThat(r.name()).isEqualTo("maybe");
        assertThat(r.nextU64OrNull("maybe")).isNull();
        assertThat(r.nextField()).isTrue();
        assertThat(r.name()).isEqualTo("list");
        r.beginArray("list");
        List<Long> items = new ArrayList<>();
        while (r.nextElement()) {
            items.add(r.nextU64("list[]"));
        }
        assertThat(items).containsExactly(1L, 2L);
        assertThat(r.nextField()).isTrue();
        assertThat(r.name()).isEqualTo("nested");
        r.beginObject("nested");
        assertThat(r.nextField()).isFalse();
        assertThat(r.nextField()).isFalse();
        r.end();
        assertThat(r.peek()).isEqualTo(Token.END);
    }

    @Test
    void peekReportsEachTokenAndConsumesSeparators() {
        JsonReader r = reader("[ {\"k\" : \"v\"} , [] , \"s\" , 1.5 , true , false , null ]");
        assertThat(r.peek()).isEqualTo(Token.BEGIN_ARRAY);
        r.beginArray("a");
        assertThat(r.peek()).isEqualTo(Token.BEGIN_OBJECT);
        r.beginObject("a[0]");
        assertThat(r.peek()).isEqualTo(Token.STRING); // the member name
        assertThat(r.name()).isEqualTo("k");
        assertThat(r.peek()).isEqualTo(Token.STRING);
        r.skipValue();
        assertThat(r.peek()).isEqualTo(Token.END_OBJECT);
        assertThat(r.nextField()).isFalse();
        assertThat(r.peek()).isEqualTo(Token.BEGIN_ARRAY);
        r.beginArray("a[1]");
        assertThat(r.peek()).isEqualTo(Token.END_ARRAY);
        assertThat(r.nextElement()).isFalse();
        assertThat(r.peek()).isEqualTo(Token.STRING);
        assertThat(r.peek()).isEqualTo(Token.STRING); // idempotent
        r.skipValue();
        assertThat(r.peek()).isEqualTo(Token.NUMBER);
        r.skipValue();
        assertThat(r.peek()).isEqualTo(Token.TRUE);
        r.skipValue();
        assertThat(r.peek()).isEqualTo(Token.FALSE);
        r.skipValue();
        assertThat(r.peek()).isEqualTo(Token.NULL);
        assertThat(r.nextNull()).isTrue();
        assertThat(r.peek()).isEqualTo(Token.END_ARRAY);
        assertThat(r.nextElement()).isFalse();
        assertThat(r.peek()).isEqualTo(Token.END);
        r.end();
    }

    @Test
    void nextNullConsumesNothingWhenTheValueIsNotNull() {
        JsonReader r = reader("[\"x\"]");
        r.beginArray("a");
        assertThat(r.nextNull()).isFalse();
        assertThat(r.nextString("a[0]")).isEqualTo("x");
    }

    @Test
    void topLevelScalarsAreValues() {
        JsonReader r = reader(" \"x\" ");
        assertThat(r.nextString("doc")).isEqualTo("x");
        r.end();
        JsonReader n = reader("42");
        assertThat(n.nextU64("doc")).isEqualTo(42);
        n.end();
    }

    @Test
    void readsOnlyTheGivenSliceOfTheArray() {
        byte[] b = bytes("xx[1, 2]yy");
        JsonReader r = new JsonReader(b, 2, 6, 64);
        assertThat(utf8(r.readCanonicalValue())).isEqualTo("[1,2]");
        r.end();
        assertThat(r.position()).isEqualTo(6);
    }

    @Test
    void positionCountsBytesFromTheStartOfTheText() {
        JsonReader r = reader("{\"ab\": 1}");
        r.beginObject("doc");
        assertThat(r.position()).isEqualTo(1);
        r.nextField();
        r.name();
        assertThat(r.position()).isEqualTo(6);
        r.nextU64("ab");
        assertThat(r.position()).isEqualTo(8);
    }

    @Test
    void callingMethodsOutOfGrammarOrderIsAProgrammingError() {
        JsonReader r = reader("{\"a\":1}");
        r.beginObject("doc");
        assertThatThrownBy(() -> r.nextString("a")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(r::nextElement).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(r::end).isInstanceOf(IllegalStateException.class);
    }

    // ------------------------------------------------------------------ strings

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            "plain"                     | plain
            ""                          | ``
            "a\\"b\\\\c\\/d"            | a"b\\c/d
            "\\b\\f\\n\\r\\t"           | \\b\\f\\n\\r\\t
            "\\u00e9\\u00C9\\u20ac"     | éÉ€
            "\\ud83d\\ude00"            | 😀
            "é€😀中"                     | é€😀中
            "mixed é \\u0041 😀"         | mixed é A 😀
            """)
    void decodesStrings(String json, String expected) {
        String want = expected.replace("\\b", "\b").replace("\\f", "\f").replace("\\n", "\n")
                .replace("\\r", "\r").replace("\\t", "\t");
        assertThat(reader(json).nextString("s")).isEqualTo(want);
    }

    @Test
    void keepsALoneSurrogateEscapeAsALoneChar() {
        assertThat(reader("\"a\\ud800b\"").nextString("s")).isEqualTo("a\ud800b");
        assertThat(reader("\"\\udc00\"").nextString("s")).isEqualTo("\udc00");
    }

    @Test
    void decodesEscapedMemberNames() {
        JsonReader r = reader("{\"k\\u00e9y\\n\":1}");
        r.beginObject("doc");
        r.nextField();
        assertThat(r.name()).isEqualTo("kéy\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"<C3 A9>\"", "\"<E2 82 AC>\"", "\"<F0 9F 98 80>\"", "\"<EF BF BF>\"",
        "\"<F4 8F BF BF>\"", "\"<ED 9F BF>\"", "\"<EE 80 80>\"", "\"<E0 A0 80>\"", "\"<F0 90 80 80>\"", "\"<7F>\""})
    void acceptsValidUtf8AtTheBoundaries(String json) {
        byte[] doc = bytes(json);
        String expected = utf8(doc).substring(1, utf8(doc).length() - 1);
        assertThat(reader(doc, 64).nextString("s")).isEqualTo(expected);
        assertThat(reader(doc, 64).readCanonicalValue()).isEqualTo(doc);
    }

    // ------------------------------------------------------------------ numbers

    @ParameterizedTest
    @CsvSource({"0, 0", "7, 7", "' 42 ', 42", "9223372036854775807, 9223372036854775807"})
    void nextU64AcceptsTheWholeRange(String json, long expected) {
        JsonReader r = reader(json);
        assertThat(r.nextU64("n")).isEqualTo(expected);
        r.end();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            -1                    | records[3].seq must be a non-negative integer
            -0                    | records[3].seq must be a non-negative integer
            1.0                   | records[3].seq must be a non-negative integer
            1e2                   | records[3].seq must be a non-negative integer
            1E2                   | records[3].seq must be a non-negative integer
            99999999999999999999e1 | records[3].seq must be a non-negative integer
            "1"                   | records[3].seq must be a non-negative integer
            true                  | records[3].seq must be a non-negative integer
            {}                    | records[3].seq must be a non-negative integer
            9223372036854775808   | records[3].seq is out of range
            18446744073709551616  | records[3].seq is out of range
            99999999999999999999  | records[3].seq is out of range
            """)
    void nextU64RefusesOtherNumbersAsInvalidField(String json, String message) {
        JsonReader r = reader(json);
        JsonException e = catchThrowableOfType(JsonException.class, () -> r.nextU64("records[3].seq"));
        assertThat(e.code()).isEqualTo("invalid_field");
        assertThat(e.getMessage()).isEqualTo(message);
    }

    @Test
    void nextU64OrNullReadsBoth() {
        JsonReader r = reader("[null, 5]");
        r.beginArray("a");
        assertThat(r.nextU64OrNull("a[0]")).isNull();
        assertThat(r.nextU64OrNull("a[1]")).isEqualTo(5L);
    }

    // ------------------------------------------------------------------ type errors

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            string        | 1         | records[3].tag must be a string
            string        | null      | records[3].tag must be a string
            stringOrNull  | []        | records[3].tag must be a string
            object        | []        | records[3].tag must be an object
            object        | "x"       | records[3].tag must be an object
            array         | {}        | records[3].tag must be an array
            array         | null      | records[3].tag must be an array
            boolean       | null      | records[3].tag must be true or false
            boolean       | "true"    | records[3].tag must be true or false
            boolean       | 1         | records[3].tag must be true or false
            u64OrNull     | false     | records[3].tag must be a non-negative integer
            """)
    void wrongTypesAreInvalidFieldNamingThePath(String method, String value, String message) {
        JsonReader r = reader("{\"tag\": " + value + "}");
        r.beginObject("records[3]");
        r.nextField();
        r.name();
        JsonException e = catchThrowableOfType(JsonException.class, () -> {
            switch (method) {
                case "string" -> r.nextString("records[3].tag");
                case "stringOrNull" -> r.nextStringOrNull("records[3].tag");
                case "object" -> r.beginObject("records[3].tag");
                case "array" -> r.beginArray("records[3].tag");
                case "boolean" -> r.nextBoolean("records[3].tag");
                case "u64OrNull" -> r.nextU64OrNull("records[3].tag");
                default -> throw new AssertionError(method);
            }
        });
        assertThat(e.code()).isEqualTo("invalid_field");
        assertThat(e.getMessage()).isEqualTo(message);
        // Nothing was consumed: the value can still be read and the document finished.
        r.skipValue();
        assertThat(r.nextField()).isFalse();
        r.end();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tru", "[1,", "{\"a\" 1}", "01", "\"a", "[\"<C0 80>\"]"})
    void aMalformedValueOfTheWrongTypeIsInvalidJsonNotInvalidField(String json) {
        JsonException e = catchThrowableOfType(JsonException.class, () -> reader(json).nextString("x"));
        assertThat(e.code()).isEqualTo("invalid_json");
    }

    // ------------------------------------------------------------------ rejections

    static Stream<String> malformedDocuments() {
        return Stream.of(
                // empty or truncated
                "", "   ", "\n\t\r ", "{", "[", "[1", "[1,", "{\"a\"", "{\"a\":", "{\"a\":1", "\"abc", "\"abc\\",
                "[{\"a\":[1,{}]", "t", "nul",
                // numbers
                "01", "-01", "00", "+1", ".5", "1.", "-", "-.5", "1.e3", "1e", "1e+", "1E-", "--1", "1..2", "0x10",
                "NaN", "Infinity", "-Infinity", "[01]", "{\"a\":+1}",
                // literals
                "tru", "True", "NULL", "nulll", "falsey", "[truex]",
                // structure
                "[1,]", "{\"a\":1,}", "[,1]", "[,]", "{,}", "{,\"a\":1}", "[1 2]", "[1,,2]", "{\"a\" 1}", "{\"a\"::1}",
                "{\"a\":1 \"b\":2}", "{1:2}", "{a:1}", "{\"a\"}", "[}", "{]", "[{]}", "]", "}", ":", ",", "[1]]",
                "{}}", "[] []", "{}{}", "\"a\"x", "1 2",
                // not JSON at all
                "{'a':1}", "['a']", "[1]//c", "/*c*/[1]", "[1]#", "[1/*c*/]", "undefined",
                // strings
                "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"\\U0041\"", "\"\\'\"", "\"\\", "\"\\u00",
                // whitespace other than space, tab, LF, CR; and a byte order mark
                "[1,<0B>2]", "[1,<0C>2]", "<0C>1", "[1,<C2 A0>2]", "<EF BB BF>[1]", "<EF BB BF>{}", "[<00>]", "<00>");
    }

    static Stream<Arguments> malformedDocumentsInEveryMode() {
        return malformedDocuments().flatMap(d -> Stream.of(Mode.values()).map(m -> Arguments.of(d, m)));
    }

    @ParameterizedTest
    @MethodSource("malformedDocumentsInEveryMode")
    void rejectsMalformedJson(String doc, Mode mode) {
        JsonException e = catchThrowableOfType(JsonException.class, () -> consume(bytes(doc), 64, mode));
        assertThat(e).as("%s in mode %s", doc, mode).isNotNull();
        assertThat(e.code()).isEqualTo("invalid_json");
        assertThat(e.getMessage()).matches("invalid JSON at byte \\d+: .+");
    }

    static Stream<Arguments> invalidUtf8() {
        String[] sequences = {
            "C0 80", "C1 BF",                 // overlong 2-byte
            "E0 80 80", "E0 9F BF",           // overlong 3-byte
            "F0 80 80 80", "F0 8F BF BF",     // overlong 4-byte
            "ED A0 80", "ED AF BF", "ED B0 80", "ED BF BF", // UTF-16 surrogates
            "F4 90 80 80", "F5 80 80 80", "F7 BF BF BF", // above U+10FFFF
            "F8 88 80 80 80", "FC 84 80 80 80 80", "FE", "FF", // never valid
            "80", "BF", "A0",                 // stray continuation bytes
            "C3", "E2 82", "F0 9F 98",        // truncated before the closing quote
            "C3 41", "E2 41 AC", "F0 9F 41 80" // continuation replaced by ASCII
        };
        List<Arguments> cases = new ArrayList<>();
        for (String s : sequences) {
            for (String template : new String[] {"[\"a<%s>b\"]", "{\"<%s>\":1}", "[1,<%s>]", "{<%s>:1}", "<%s>"}) {
                cases.add(Arguments.of(template.formatted(s)));
            }
        }
        cases.add(Arguments.of("[\"<E2 82>"));      // truncated by the end of input
        cases.add(Arguments.of("[\"<F0 9F 98>"));
        cases.add(Arguments.of("\"<C3>"));
        return cases.stream();
    }

    @ParameterizedTest
    @MethodSource("invalidUtf8")
    void rejectsInvalidUtf8AnywhereIncludingOverlongAndSurrogates(String doc) {
        for (Mode mode : Mode.values()) {
            JsonException e = catchThrowableOfType(JsonException.class, () -> consume(bytes(doc), 64, mode));
            assertThat(e).as("%s in mode %s", doc, mode).isNotNull();
            assertThat(e.code()).isEqualTo("invalid_json");
            assertThat(e.getMessage()).as(doc).startsWith("invalid UTF-8");
        }
    }

    @Test
    void rejectsOverlongUtf8() {
        JsonException e = catchThrowableOfType(JsonException.class, () -> reader("\"ab<C0 AF>\"").nextString("s"));
        assertThat(e.code()).isEqualTo("invalid_json");
        assertThat(e.getMessage()).isEqualTo("invalid UTF-8 at byte 3");
    }

    static IntStream controlCharacters() {
        return IntStream.range(0, 0x20);
    }

    @ParameterizedTest
    @MethodSource("controlCharacters")
    void rejectsUnescapedControlCharactersInStrings(int c) {
        String doc = "{\"k\":\"a<%02X>b\"}".formatted(c);
        for (Mode mode : Mode.values()) {
            JsonException e = catchThrowableOfType(JsonException.class, () -> consume(bytes(doc), 64, mode));
            assertThat(e.code()).isEqualTo("invalid_json");
            assertThat(e.getMessage()).isEqualTo("invalid JSON at byte 7: unescaped control character in string");
        }
    }

    @Test
    void errorMessagesGiveTheByteOffset() {
        JsonException e = catchThrowableOfType(JsonException.class, () -> consume(bytes("{\"a\" 1}"), 64, Mode.PULL));
        assertThat(e.getMessage()).isEqualTo("invalid JSON at byte 5: expected ':'");
        e = catchThrowableOfType(JsonException.class, () -> consume(bytes("{\"a\" 1}"), 64, Mode.CANONICAL));
        assertThat(e.getMessage()).isEqualTo("invalid JSON at byte 5: expected ':'");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void endRejectsTrailingData(Mode mode) {
        JsonException e = catchThrowableOfType(JsonException.class, () -> consume(bytes("{\"a\":[]} \n x"), 64, mode));
        assertThat(e.code()).isEqualTo("invalid_json");
        assertThat(e.getMessage()).isEqualTo("invalid JSON at byte 11: unexpected data after the JSON value");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void acceptsSurroundingWhitespace(Mode mode) {
        consume(bytes(" \t\r\n{ \"a\" : [ 1 , -2.5e+3 , true , null , \"x y\" ] }\r\n\t "), 64, mode);
    }

    @Test
    void exceptionsAreCheapAndCarryNoStack() {
        JsonException e = catchThrowableOfType(JsonException.class, () -> consume(bytes("[1,]"), 64, Mode.PULL));
        assertThat(e.getStackTrace()).isEmpty();
        assertThat(new JsonException("invalid_field", "x must be a string").getStackTrace()).isEmpty();
        assertThat(new JsonException("invalid_field", "x must be a string").code()).isEqualTo("invalid_field");
    }

    // ------------------------------------------------------------------ depth

    static Stream<Arguments> nestingInEveryMode() {
        return Stream.of("[", "{\"k\":").flatMap(open -> Stream.of(Mode.values()).map(m -> Arguments.of(open, m)));
    }

    static byte[] nested(String open, int levels) {
        String close = open.equals("[") ? "]" : "}";
        return bytes(open.repeat(levels) + "0" + close.repeat(levels));
    }

    @ParameterizedTest
    @MethodSource("nestingInEveryMode")
    void depth64IsAllowedAndDepth65IsRefused(String open, Mode mode) {
        consume(nested(open, 64), 64, mode);
        JsonException e = catchThrowableOfType(JsonException.class, () -> consume(nested(open, 65), 64, mode));
        assertThat(e.code()).isEqualTo("json_too_deep");
        assertThat(e.getMessage()).contains("64");
    }

    @Test
    void depthIsRefusedEvenBeforeTheDocumentWouldFailOtherwise() {
        JsonException e = catchThrowableOfType(JsonException.class,
                () -> consume(bytes("[".repeat(65)), 64, Mode.CANONICAL));
        assertThat(e.code()).isEqualTo("json_too_deep");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void canonicalValueDepthCountsFromTheCurrentDepth(boolean canonical) {
        // Two levels are open when the value starts, so the value itself may nest 62 deep.
        byte[] ok = bytes("{\"v\":[" + "[".repeat(62) + "]".repeat(62) + "]}");
        byte[] tooDeep = bytes("{\"v\":[" + "[".repeat(63) + "]".repeat(63) + "]}");
        readMemberValue(ok, canonical);
        JsonException e = catchThrowableOfType(JsonException.class, () -> readMemberValue(tooDeep, canonical));
        assertThat(e.code()).isEqualTo("json_too_deep");
    }

    private static void readMemberValue(byte[] doc, boolean canonical) {
        JsonReader r = reader(doc, 64);
        r.beginObject("doc");
        r.nextField();
        r.name();
        r.beginArray("v");
        assertThat(r.nextElement()).isTrue();
        if (canonical) {
            r.readCanonicalValue();
        } else {
            r.skipValue();
        }
        assertThat(r.nextElement()).isFalse();
        assertThat(r.nextField()).isFalse();
        r.end();
    }

    @Test
    void maxDepthZeroAllowsOnlyScalars() {
        consume(bytes("1"), 0, Mode.PULL);
        assertThatThrownBy(() -> consume(bytes("[]"), 0, Mode.PULL))
                .isInstanceOfSatisfying(JsonException.class, e -> assertThat(e.code()).isEqualTo("json_too_deep"));
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "9223372036854775807, 9223372036854775807",
        "9223372036854775808, -9223372036854775808",
        "18446744073709551615, -1",
    })
    void nextUnsignedLongReadsTheWholeU64Range(String text, long bits) {
        JsonReader r = reader(text);
        assertThat(r.nextUnsignedLong("seq")).isEqualTo(bits);
        assertThat(Long.toUnsignedString(bits)).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"18446744073709551616", "99999999999999999999", "-1", "1.0", "1e3"})
    void nextUnsignedLongRefusesWhatIsNotAU64(String text) {
        assertThatThrownBy(() -> reader(text).nextUnsignedLong("seq"))
                .isInstanceOf(JsonException.class)
                .satisfies(e -> assertThat(((JsonException) e).code()).isEqualTo("invalid_field"))
                .hasMessageStartingWith("seq ");
    }
}
