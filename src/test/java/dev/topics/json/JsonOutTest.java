package dev.topics.json;

import static dev.topics.json.JsonTestSupport.bytes;
import static dev.topics.json.JsonTestSupport.reader;
import static dev.topics.json.JsonTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonOutTest {

    /** Asserts the output is the expected text and that JsonReader accepts it unchanged. */
    private static void assertJson(JsonOut out, String expected) {
        assertThat(utf8(out.toByteArray())).isEqualTo(expected);
        JsonReader r = reader(out.toByteArray(), 256);
        assertThat(r.readCanonicalValue()).isEqualTo(out.toByteArray());
        r.end();
    }

    @Test
    void writesNestedDocumentsWithCommasInTheRightPlaces() {
        JsonOut out = new JsonOut(16);
        out.beginObject()
                .field("topic", "orders")
                .field("count", 2)
                .field("open", true)
                .name("records").beginArray()
                .beginObject().field("offset", 0).name("value").rawValue(bytes("{\"a\":[1,2]}"), 0, 11).endObject()
                .beginObject().field("offset", 1).name("tag").nullValue().endObject()
                .endArray()
                .name("empty").beginArray().endArray()
                .name("none").beginObject().endObject()
                .name("list").beginArray().value(1).value("two").value(false).nullValue().millis(1_500_000)
                .beginArray().endArray().endArray()
                .endObject();
        assertJson(out, "{\"topic\":\"orders\",\"count\":2,\"open\":true,\"records\":["
                + "{\"offset\":0,\"value\":{\"a\":[1,2]}},{\"offset\":1,\"tag\":null}],"
                + "\"empty\":[],\"none\":{},\"list\":[1,\"two\",false,null,1.5,[]]}");
    }

    @Test
    void outputParsesBackWithTheReader() {
        JsonOut out = new JsonOut();
        out.beginObject().field("name", "é \"q\"\n").field("seq", Long.MAX_VALUE).field("ok", false).endObject();
        JsonReader r = reader(out.toByteArray(), 64);
        r.beginObject("doc");
        r.nextField();
        assertThat(r.name()).isEqualTo("name");
        assertThat(r.nextString("name")).isEqualTo("é \"q\"\n");
        r.nextField();
        assertThat(r.name()).isEqualTo("seq");
        assertThat(r.nextU64("seq")).isEqualTo(Long.MAX_VALUE);
        r.nextField();
        assertThat(r.name()).isEqualTo("ok");
        assertThat(r.nextBoolean("ok")).isFalse();
        assertThat(r.nextField()).isFalse();
        r.end();
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, -1, 9, 10, 99, 100, 12345, -12345, 1_000_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE,
        Long.MIN_VALUE + 1})
    void writesLongsAsDecimal(long v) {
        assertJson(new JsonOut().value(v), Long.toString(v));
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "1, 0",
        "499, 0",
        "500, 0.001",
        "1000, 0.001",
        "1234567, 1.235",
        "1234499, 1.234",
        "2000000, 2",
        "2500000, 2.5",
        "2050000, 2.05",
        "2005000, 2.005",
        "999999, 1",
        "999499, 0.999",
        "60000000000, 60000",
        "-1500000, -1.5",
        "-400, 0",
        "9223372036854775807, 9223372036854.776"
    })
    void millisWritesUpToThreeDecimalsWithoutTrailingZeros(long nanos, String expected) {
        assertJson(new JsonOut().millis(nanos), expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            plain        | "plain"
            ``           | ""
            a"b          | "a\\"b"
            a\\b         | "a\\\\b"
            é€😀         | "é€😀"
            </>          | "</>"
            """)
    void escapesStrings(String value, String expected) {
        assertJson(new JsonOut().value(value), expected);
    }

    @Test
    void escapesControlCharactersAndLoneSurrogates() {
        String s = "\b\f\n\r\t\u0000\u001f\u007f \ud800 x\udc00 \udc00\ud800";
        String expected = "\"\\b\\f\\n\\r\\t\\u0000\\u001f\u007f \\ud800 x\\udc00 \\udc00\\ud800\"";
        JsonOut out = new JsonOut().value(s);
        assertJson(out, expected);
        assertThat(reader(out.toByteArray(), 64).nextString("s")).isEqualTo(s);
    }

    @Test
    void writesNullStringsAsNull() {
        assertJson(new JsonOut().beginArray().value((String) null).endArray(), "[null]");
        assertJson(new JsonOut().beginObject().field("a", (String) null).endObject(), "{\"a\":null}");
    }

    @Test
    void randomStringsRoundTripThroughTheReader() {
        Random random = new Random(7);
        JsonOut out = new JsonOut(8);
        for (int i = 0; i < 2000; i++) {
            char[] chars = new char[random.nextInt(40)];
            for (int j = 0; j < chars.length; j++) {
                int pick = random.nextInt(4);
                chars[j] = (char) switch (pick) {
                    case 0 -> random.nextInt(0x80);
                    case 1 -> random.nextInt(0x800);
                    default -> random.nextInt(0x10000); // may produce lone or paired surrogates
                };
            }
            String s = new String(chars);
            out.reset();
            out.beginObject().name(s).value(s).endObject();
            JsonReader r = reader(out.toByteArray(), 64);
            r.beginObject("doc");
            assertThat(r.nextField()).isTrue();
            assertThat(r.name()).isEqualTo(s);
            assertThat(r.nextString("s")).isEqualTo(s);
            assertThat(r.nextField()).isFalse();
            r.end();
        }
    }

    @Test
    void encodesSupplementaryCharactersAsFourByteUtf8() {
        String s = "a😀b";
        assertThat(new JsonOut().value(s).toByteArray()).isEqualTo(("\"" + s + "\"").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void stringUtf8EscapesOnlyQuotesBackslashesAndControls() {
        byte[] raw = bytes("a\"b\\c<0A><01><C3 A9><F0 9F 98 80><7F>");
        JsonOut out = new JsonOut(4).beginArray().stringUtf8(raw, 0, raw.length).stringUtf8(raw, 1, 1).endArray();
        assertThat(out.toByteArray()).isEqualTo(bytes("[\"a\\\"b\\\\c\\n\\u0001<C3 A9><F0 9F 98 80><7F>\",\"\\\"\"]"));
        JsonReader r = reader(out.toByteArray(), 64);
        r.beginArray("a");
        assertThat(r.nextString("a[0]")).isEqualTo(utf8(raw));
    }

    @Test
    void rawValueSplicesBytesVerbatimWithCommas() {
        byte[] stored = bytes("xx{\"v\":1.50}yy");
        JsonOut out = new JsonOut().beginArray().rawValue(stored, 2, 10).rawValue(stored, 2, 10).endArray();
        assertJson(out, "[{\"v\":1.50},{\"v\":1.50}]");
    }

    @Test
    void supportsDeepNesting() {
        JsonOut out = new JsonOut(8);
        for (int i = 0; i < 200; i++) {
            out.beginArray().value(i);
        }
        for (int i = 0; i < 200; i++) {
            out.endArray();
        }
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            expected.append('[').append(i).append(',');
        }
        expected.setLength(expected.length() - 1);
        expected.append("]".repeat(200));
        assertThat(utf8(out.toByteArray())).isEqualTo(expected.toString());
    }

    @Test
    void topLevelValuesInSequenceAreCommaSeparated() {
        assertThat(utf8(new JsonOut().value(1).value(2).toByteArray())).isEqualTo("1,2");
    }

    @Test
    void refusesToCloseMoreThanWasOpened() {
        assertThatThrownBy(() -> new JsonOut().endObject()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void resetReusesTheBufferAndWriteToCopiesIt() throws IOException {
        JsonOut out = new JsonOut(16);
        out.beginObject().field("a", "x".repeat(100)).endObject();
        byte[] grown = out.buffer();
        assertThat(grown.length).isGreaterThanOrEqualTo(out.size());
        out.reset();
        assertThat(out.size()).isZero();
        out.beginArray().value(1).endArray();
        assertThat(out.buffer()).isSameAs(grown);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        out.writeTo(sink);
        assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("[1]");
        assertThat(out.size()).isEqualTo(3);
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "42, 42", "-1, 18446744073709551615", "-9223372036854775808, 9223372036854775808"})
    void valueUnsignedWritesTheBitsAsAnUnsignedNumber(long bits, String expected) {
        assertJson(new JsonOut().beginArray().valueUnsigned(bits).endArray(), "[" + expected + "]");
    }
}
