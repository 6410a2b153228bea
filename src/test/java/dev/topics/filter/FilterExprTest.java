package dev.topics.filter;

import static dev.topics.filter.FilterCases.ands;
import static dev.topics.filter.FilterCases.bare;
import static dev.topics.filter.FilterCases.noded;
import static dev.topics.filter.FilterCases.nots;
import static dev.topics.filter.FilterCases.tagged;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.topics.filter.FilterCases.Rec;
import dev.topics.json.JsonException;
import dev.topics.json.JsonReader;
import dev.topics.storage.RecordFilter;
import dev.topics.storage.RecordView;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link FilterExpr}: SPEC §6 filter expressions, compiled once and evaluated per record. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class FilterExprTest {

    // ------------------------------------------------------------------ evaluation tables

    @ParameterizedTest(name = "{0} on {1} is {2}")
    @MethodSource("dev.topics.filter.FilterCases#stringComparisons")
    void everyOpOnTagAndNodeMatchesPresentAndAbsentValues(String filter, Rec rec, boolean expected) {
        assertThat(matches(filter, rec)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} on {1} is {2}")
    @MethodSource("dev.topics.filter.FilterCases#stringOrder")
    void stringsCompareByCodePoint(String filter, Rec rec, boolean expected) {
        assertThat(matches(filter, rec)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} on {1} is {2}")
    @MethodSource("dev.topics.filter.FilterCases#numberComparisons")
    void everyOpOnSeqAndTsComparesUnsigned(String filter, Rec rec, boolean expected) {
        assertThat(matches(filter, rec)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} on {1} is {2}")
    @MethodSource("dev.topics.filter.FilterCases#memberships")
    void inAndNotInTestMembershipAndEmptyListsMatchNothingOrEverything(String filter, Rec rec, boolean expected) {
        assertThat(matches(filter, rec)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} on {1} is {2}")
    @MethodSource("dev.topics.filter.FilterCases#combinators")
    void andOrNotCombineSubExpressions(String filter, Rec rec, boolean expected) {
        assertThat(matches(filter, rec)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "Glob {0} on ''{1}'' is {2}")
    @MethodSource("dev.topics.filter.FilterCases#globs")
    void globMatchesTheWholeValueWithStarAndQuestionMarkOnly(String pattern, String value, boolean expected) {
        String p = json(pattern);
        assertThat(matches("[\"tag\",\"Glob\"," + p + "]", tagged(value))).as("tag").isEqualTo(expected);
        assertThat(matches("[\"node\",\"Glob\"," + p + "]", noded(value))).as("node").isEqualTo(expected);
        assertThat(matches("[\"tag\",\"Glob\"," + p + "]", noded(value))).as("record without a tag").isFalse();
        assertThat(matches("[\"node\",\"Glob\"," + p + "]", tagged(value))).as("record without a node").isFalse();
    }

    // ------------------------------------------------------------------ nesting

    @Test
    void sixtyFourLevelsOfNestingCompileAndEvaluate() {
        String leaf = "[\"tag\",\"Eq\",\"x\"]";
        // 63 Nots + the comparison = 64 nested arrays; an odd number of Nots negates.
        RecordFilter notFilter = compile(nots(63, leaf));
        assertThat(notFilter.test(tagged("x").view())).isFalse();
        assertThat(notFilter.test(tagged("y").view())).isTrue();
        // 31 Ands (two arrays each) + the comparison + its In list = 64 nested arrays.
        RecordFilter andFilter = compile(ands(31, "[\"tag\",\"In\",[\"x\"]]"));
        assertThat(andFilter.test(tagged("x").view())).isTrue();
        assertThat(andFilter.test(tagged("y").view())).isFalse();
    }

    @ParameterizedTest(name = "{0} Nots + comparison")
    @ValueSource(ints = {64, 100, 1000})
    void nestingDeeperThanSixtyFourIsTooDeep(int k) {
        assertJsonError(() -> compile(nots(k, "[\"tag\",\"Eq\",\"x\"]")), JsonException.JSON_TOO_DEEP);
    }

    @Test
    void nestingOneListBeyondSixtyFourIsTooDeep() {
        assertJsonError(() -> compile(nots(63, "[\"tag\",\"In\",[\"x\"]]")), JsonException.JSON_TOO_DEEP);
        assertJsonError(() -> compile(ands(32, "[\"tag\",\"Eq\",\"x\"]")), JsonException.JSON_TOO_DEEP);
    }

    @Test
    void theReadersDepthLimitBoundsNesting() {
        String leaf = "[\"seq\",\"Eq\",1]";
        byte[] ok = nots(7, leaf).getBytes(StandardCharsets.UTF_8);
        RecordFilter f = FilterExpr.compile(new JsonReader(ok, 0, ok.length, 8), "filter");
        assertThat(f.test(FilterCases.withSeq(1).view())).isFalse();
        assertThat(f.test(FilterCases.withSeq(2).view())).isTrue();
        byte[] deep = nots(8, leaf).getBytes(StandardCharsets.UTF_8);
        assertJsonError(() -> FilterExpr.compile(new JsonReader(deep, 0, deep.length, 8), "filter"),
                JsonException.JSON_TOO_DEEP);
    }

    // ------------------------------------------------------------------ invalid filters

    @ParameterizedTest(name = "{0} is invalid at {1}")
    @MethodSource("dev.topics.filter.FilterCases#invalid")
    void invalidFilterNamesThePathOfTheBadPart(String filter, String path) {
        assertInvalid(() -> compile(filter), path);
    }

    @Test
    void invalidFilterPathIsRootedAtTheReadersFieldName() {
        assertInvalid(() -> compileMember("{\"match\":[\"And\",[[\"tag\",\"Bad\",\"x\"]]]}", "match"), "match[1][0][1]");
        assertInvalid(() -> compileMember("{\"match\":5}", "match"), "match");
        assertInvalid(() -> compileMember("{\"match\":[\"seq\",\"In\",[1,\"2\"]]}", "match"), "match[2][1]");
    }

    @Test
    void unknownNamesAreQuotedInTheMessage() {
        InvalidFilter field = assertInvalid(() -> compile("[\"tags\",\"Eq\",\"x\"]"), "filter[0]");
        assertThat(field.getMessage()).contains("'tags'");
        InvalidFilter op = assertInvalid(() -> compile("[\"tag\",\"Equals\",\"x\"]"), "filter[1]");
        assertThat(op.getMessage()).contains("'Equals'");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"[\"and\",[]]", "[\"OR\",[]]", "[\"not\",[\"tag\",\"Eq\",\"x\"]]"})
    void combinatorNamesAreCaseSensitive(String filter) {
        Throwable t = catchThrowable(() -> compile(filter));
        assertThat(t).isInstanceOf(InvalidFilter.class);
        // Two elements: either the head is an unknown field or a comparison lacks its value.
        assertThat(((InvalidFilter) t).path()).isIn("filter", "filter[0]");
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {
        "[\"tag\",\"Eq\"", "", " ", "[\"tag\",\"Eq\",\"x\"] x", "[\"tag\",\"Eq\",\"x\"],", "null x",
        "[\"tag\",\"Eq\",\"x\",]", "['tag','Eq','x']", "[\"seq\",\"Eq\",01]", "[\"seq\",\"Eq\",1.]",
        "[\"tag\",\"Eq\",\"x\"]]", "[\"tag\",\"Eq\",\"\\q\"]"})
    void malformedJsonIsInvalidJsonNotInvalidFilter(String text) {
        assertJsonError(() -> compile(text), JsonException.INVALID_JSON);
    }

    @Test
    void invalidUtf8IsInvalidJson() {
        byte[] b = {'[', '"', 't', 'a', 'g', '"', ',', '"', 'E', 'q', '"', ',', '"', (byte) 0xC3, '"', ']'};
        assertJsonError(() -> FilterExpr.compile(b), JsonException.INVALID_JSON);
    }

    // ------------------------------------------------------------------ null and readers

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"null", " null ", "\nnull\r\n"})
    void jsonNullCompilesToNoFilter(String text) {
        assertThat(compile(text)).isNull();
    }

    @Test
    void compilingFromAReaderConsumesExactlyTheExpression() {
        byte[] b = "{\"match\":[\"And\",[[\"tag\",\"Eq\",\"x\"],[\"seq\",\"In\",[1,2]]]],\"from_seq\":3,\"none\":null}"
                .getBytes(StandardCharsets.UTF_8);
        JsonReader r = new JsonReader(b, 0, b.length, 64);
        r.beginObject("body");
        assertThat(r.nextField()).isTrue();
        assertThat(r.name()).isEqualTo("match");
        RecordFilter f = FilterExpr.compile(r, "match");
        assertThat(r.nextField()).isTrue();
        assertThat(r.name()).isEqualTo("from_seq");
        assertThat(r.nextU64("from_seq")).isEqualTo(3);
        assertThat(r.nextField()).isTrue();
        assertThat(r.name()).isEqualTo("none");
        assertThat(FilterExpr.compile(r, "none")).isNull();
        assertThat(r.nextField()).isFalse();
        r.end();
        assertThat(f.test(new Rec(2, 0, "x", null).view())).isTrue();
        assertThat(f.test(new Rec(3, 0, "x", null).view())).isFalse();
        assertThat(f.test(new Rec(1, 0, "y", null).view())).isFalse();
    }

    @Test
    void aCompiledFilterDoesNotDependOnTheBytesItWasCompiledFrom() {
        // Watches and subscriptions keep filters long after the request buffer is reused.
        byte[] b = "[\"Or\",[[\"tag\",\"Eq\",\"order-7731\"],[\"node\",\"Glob\",\"n?\"],[\"tag\",\"In\",[\"b\"]]]]"
                .getBytes(StandardCharsets.UTF_8);
        RecordFilter f = FilterExpr.compile(b);
        Arrays.fill(b, (byte) 'z');
        assertThat(f.test(tagged("order-7731").view())).isTrue();
        assertThat(f.test(noded("n1").view())).isTrue();
        assertThat(f.test(tagged("b").view())).isTrue();
        assertThat(f.test(tagged("zzzz").view())).isFalse();
        assertThat(f.test(bare().view())).isFalse();
    }

    // ------------------------------------------------------------------ reuse and threads

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        ["And",[["tag","Glob","order-*7"],["Or",[["seq","Lt",500],["node","In",["n1","n3"]]]]]]
        ["Or",[["tag","Glob","*-?3*"],["ts","Gte",9000],["Not",["node","Eq",null]]]]
        ["Not",["Or",[["tag","Lt","order-2"],["seq","In",[7,77,777,7777]],["node","Glob","n?"]]]]
        ["And",[["tag","NotEq",null],["tag","NotIn",["order-1","order-10"]],["ts","Gt",18446744073709551000]]]
        """)
    void aCompiledFilterGivesTheSameAnswersFromManyThreads(String filter) throws Exception {
        RecordFilter f = compile(filter);
        List<RecordView> records = MANY;
        boolean[] expected = new boolean[records.size()];
        int matched = 0;
        for (int i = 0; i < expected.length; i++) {
            expected[i] = f.test(records.get(i));
            matched += expected[i] ? 1 : 0;
        }
        assertThat(matched).as("the table should exercise both answers").isBetween(1, expected.length - 1);
        for (int i = 0; i < expected.length; i++) {
            assertThat(f.test(records.get(i))).as("second pass, record %d", i).isEqualTo(expected[i]);
        }
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<boolean[]>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int shift = t * 997;
                results.add(pool.submit(() -> {
                    start.await();
                    boolean[] first = null;
                    for (int pass = 0; pass < 3; pass++) {
                        boolean[] got = new boolean[records.size()];
                        for (int j = 0; j < got.length; j++) {
                            int i = (j + shift) % got.length; // each thread in its own order
                            got[i] = f.test(records.get(i));
                        }
                        if (first == null) {
                            first = got;
                        } else if (!Arrays.equals(first, got)) {
                            throw new AssertionError("answers changed between passes");
                        }
                    }
                    return first;
                }));
            }
            start.countDown();
            for (Future<boolean[]> r : results) {
                assertThat(r.get(15, TimeUnit.SECONDS)).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Records for the thread test: some without tag or node, some ts above 2^63. */
    private static final List<RecordView> MANY = manyRecords(4000);

    private static List<RecordView> manyRecords(int n) {
        List<RecordView> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String tag = i % 5 == 0 ? null : "order-" + i;
            String node = i % 7 == 0 ? null : "n" + (i % 4);
            long ts = i % 11 == 0 ? -1L - i : 10L * i;
            records.add(new Rec(i, ts, tag, node).view());
        }
        return List.copyOf(records);
    }

    // ------------------------------------------------------------------ helpers

    private static RecordFilter compile(String json) {
        return FilterExpr.compile(json.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean matches(String filter, Rec rec) {
        RecordFilter f = compile(filter);
        assertThat(f).as("compiled filter").isNotNull();
        return f.test(rec.view());
    }

    /** Compiles the first member of a one-member object, as a request parser would. */
    private static RecordFilter compileMember(String object, String name) {
        byte[] b = object.getBytes(StandardCharsets.UTF_8);
        JsonReader r = new JsonReader(b, 0, b.length, 64);
        r.beginObject("body");
        assertThat(r.nextField()).isTrue();
        assertThat(r.name()).isEqualTo(name);
        return FilterExpr.compile(r, name);
    }

    private static InvalidFilter assertInvalid(ThrowingCallable call, String path) {
        Throwable t = catchThrowable(call);
        assertThat(t).isInstanceOf(InvalidFilter.class);
        InvalidFilter e = (InvalidFilter) t;
        assertThat(e.path()).isEqualTo(path);
        assertThat(e.getMessage()).as("message").startsWith(path).doesNotStartWith(path + "[");
        return e;
    }

    private static void assertJsonError(ThrowingCallable call, String code) {
        Throwable t = catchThrowable(call);
        assertThat(t).isInstanceOf(JsonException.class);
        assertThat(((JsonException) t).code()).isEqualTo(code);
    }

    /** {@code s} as a JSON string literal. */
    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
