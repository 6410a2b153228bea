package dev.topics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.PackageGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The package structure of src/main (docs/ARCHITECTURE.md, "Packages"): no two packages
 * depend on each other, directly or around a longer cycle, and {@code storage} (with its
 * subpackages) knows nothing of HTTP ({@code dev.topics.http}, Helidon). A failure names
 * the packages and, for each edge of one cycle, the import that makes it.
 */
class PackageCyclesTest {
    private static final Path MAIN = Path.of("src/main/java");

    @Test
    void srcMainHasNoPackageCycle() {
        PackageGraph g = PackageGraph.scan(MAIN, "dev.topics");
        assertThat(g.packages()).as("packages read from %s", MAIN).contains("dev.topics", "dev.topics.storage");
        List<Set<String>> cycles = g.cycles();
        assertThat(cycles)
                .as(() -> cycles.stream().map(g::describe).collect(Collectors.joining("\n")))
                .isEmpty();
    }

    /**
     * docs/ARCHITECTURE.md draws the packages as they are: its "Packages" block names every
     * package of src/main once, each with exactly the packages it imports ({@code name/ →
     * deps}; no arrow means none; {@code dev.topics} itself, the wiring, is not checked),
     * in an order where each imports only packages drawn below it.
     */
    @Test
    void architectureMdDrawsEveryPackageWithWhatItImports() throws IOException {
        PackageGraph g = PackageGraph.scan(MAIN, "dev.topics");
        Map<String, Set<String>> drawn = drawnPackages(Files.readString(Path.of("docs/ARCHITECTURE.md")));
        assertThat(drawn.keySet()).as("the packages drawn in docs/ARCHITECTURE.md").isEqualTo(g.packages());
        List<String> order = new ArrayList<>(drawn.keySet());
        for (String p : order) {
            if (p.equals("dev.topics")) {
                continue;
            }
            Set<String> actual = new TreeSet<>(g.edges().getOrDefault(p, Set.of()));
            actual.remove(p);
            assertThat(new TreeSet<>(drawn.get(p))).as("what %s imports, as docs/ARCHITECTURE.md draws it", p)
                    .isEqualTo(actual);
            for (String d : actual) {
                assertThat(order.indexOf(d)).as("%s imports %s, so it is drawn above it", p, d)
                        .isGreaterThan(order.indexOf(p));
            }
        }
    }

    private static final Pattern DRAWN = Pattern.compile("^( *)([a-z/]+/|dev\\.topics)(?: +→ ((?:[a-z/]+ ?)+))?(?: .*)?$");

    /** The "Packages" block: package name → the names after its arrow, in the order drawn. */
    private static Map<String, Set<String>> drawnPackages(String md) {
        int section = md.indexOf("## Packages");
        int from = md.indexOf("```", section) + 3;
        int to = md.indexOf("```", from);
        Map<String, Set<String>> out = new LinkedHashMap<>();
        String parent = null;
        for (String line : md.substring(from, to).strip().split("\n")) {
            Matcher m = DRAWN.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String name = m.group(2);
            if (m.group(1).isEmpty()) {
                parent = name;
            } else {
                name = parent + name;
            }
            Set<String> deps = new LinkedHashSet<>();
            if (m.group(3) != null) {
                for (String d : m.group(3).trim().split(" +")) {
                    deps.add(qualified(d));
                }
            }
            assertThat(out.put(qualified(name), deps)).as("%s drawn twice", name).isNull();
        }
        return out;
    }

    private static String qualified(String drawn) {
        String path = drawn.endsWith("/") ? drawn.substring(0, drawn.length() - 1) : drawn;
        return path.equals("dev.topics") ? path : "dev.topics." + path.replace('/', '.');
    }

    @Test
    void storageImportsNothingFromHttpOrHelidon() {
        PackageGraph g = PackageGraph.scan(MAIN, "dev.topics");
        List<PackageGraph.Ref> refs = g.refs(
                from -> from.equals("dev.topics.storage") || from.startsWith("dev.topics.storage."),
                target -> target.startsWith("dev.topics.http.") || target.startsWith("io.helidon."));
        assertThat(refs).as("storage reaching HTTP (the engine stays free of it)").isEmpty();
    }

    /** The detector itself: a cycle a → b → c → a among other packages is found and explained. */
    @Test
    void theDetectorFindsACycleAndTheImportsThatCloseIt() {
        PackageGraph g = new PackageGraph("x")
                .add(Path.of("x/a/A.java"), """
                        package x.a;

                        import x.b.B;
                        import x.d.D;

                        class A {
                        }
                        """)
                .add(Path.of("x/b/B.java"), """
                        package x.b;

                        import static x.c.C.helper;

                        class B {
                        }
                        """)
                .add(Path.of("x/c/C.java"), """
                        package x.c;

                        // x.d.D in a comment is no dependency
                        class C {
                            String s = "x.d.D neither";
                            Object a = new x.a.A(); // a qualified name in code is one
                        }
                        """)
                .add(Path.of("x/d/D.java"), """
                        package x.d;

                        import java.util.List;

                        class D {
                        }
                        """);
        List<Set<String>> cycles = g.cycles();
        assertThat(cycles).containsExactly(Set.of("x.a", "x.b", "x.c"));
        assertThat(g.describe(cycles.getFirst()))
                .contains("x.a -> x.b (x/a/A.java:3: x.b.B)")
                .contains("x.b -> x.c (x/b/B.java:3: x.c.C.helper)")
                .contains("x.c -> x.a (x/c/C.java:6: x.a.A)");
        assertThat(g.edges().get("x.c")).as("comments and strings are no dependency").containsExactly("x.a");
        assertThat(g.refs(from -> from.equals("x.a"), target -> target.startsWith("x.d.")))
                .extracting(PackageGraph.Ref::line).containsExactly(4);
    }

    /** A package and its subpackage are distinct nodes: importing each other is a cycle. */
    @Test
    void aPackageAndItsSubpackageAreDistinct() {
        PackageGraph g = new PackageGraph("x")
                .add(Path.of("x/P.java"), "package x;\nimport x.sub.S;\nclass P {}\n")
                .add(Path.of("x/sub/S.java"), "package x.sub;\nimport x.P;\nclass S {}\n")
                .add(Path.of("x/other/O.java"), "package x.other;\nimport x.P;\nclass O {}\n");
        assertThat(g.cycles()).containsExactly(Set.of("x", "x.sub"));
    }
}
