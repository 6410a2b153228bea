package dev.topics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.PackageGraph;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
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
