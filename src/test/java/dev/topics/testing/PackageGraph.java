package dev.topics.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The package dependencies of Java sources, read from the text: each file's
 * {@code package} line, its {@code import} and {@code import static} lines, and qualified
 * names written in code (under the graph's root, e.g. {@code dev.topics.x.Y}, or
 * {@code io.helidon.x.Y}; outside comments and string literals). A package and its subpackages are distinct nodes.
 *
 * <p>{@link #cycles} finds the strongly connected components (Tarjan) with more than one
 * package; {@link #describe} names, for one cycle through a component, the import that
 * makes each edge, so a maintainer sees where to cut.
 */
public final class PackageGraph {
    /** One reference: {@code from} (a package) names {@code target} (a class) at {@code file}:{@code line}. */
    public record Ref(String from, String target, String targetPackage, Path file, int line) {
        @Override
        public String toString() {
            return from + " -> " + targetPackage + " (" + file + ":" + line + ": " + target + ")";
        }
    }

    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;");
    private static final Pattern IMPORT = Pattern.compile("^\\s*import\\s+(?:static\\s+)?([\\w.]+(?:\\.\\*)?)\\s*;");

    private final String root;
    /** A qualified name in code, under {@link #root} or Helidon's packages. */
    private final Pattern qualified;
    private final Set<String> packages = new TreeSet<>();
    private final List<Ref> refs = new ArrayList<>();
    /** from → to → the first reference making that edge; only packages under {@link #root}. */
    private final Map<String, Map<String, Ref>> edges = new TreeMap<>();

    /** A graph over the packages under {@code root} (e.g. {@code dev.topics}). */
    public PackageGraph(String root) {
        this.root = root;
        this.qualified = Pattern.compile("(?<![\\w.])((?:" + Pattern.quote(root)
                + "|io\\.helidon)(?:\\.[a-z][a-z0-9_]*)*\\.[A-Z]\\w*)");
    }

    /** Reads every {@code .java} file under {@code dir}. */
    public static PackageGraph scan(Path dir, String root) {
        PackageGraph g = new PackageGraph(root);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                g.add(f, Files.readString(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return g;
    }

    /** Adds one source file. */
    public PackageGraph add(Path file, String source) {
        String[] lines = stripCommentsAndStrings(source).split("\n", -1);
        String pkg = null;
        for (String l : lines) {
            Matcher m = PACKAGE.matcher(l);
            if (m.find()) {
                pkg = m.group(1);
                break;
            }
        }
        if (pkg == null) {
            throw new IllegalArgumentException(file + " has no package line");
        }
        packages.add(pkg);
        for (int i = 0; i < lines.length; i++) {
            Matcher imp = IMPORT.matcher(lines[i]);
            if (imp.find()) {
                ref(pkg, imp.group(1), file, i + 1);
                continue;
            }
            Matcher q = qualified.matcher(lines[i]);
            while (q.find()) {
                ref(pkg, q.group(1), file, i + 1);
            }
        }
        return this;
    }

    private void ref(String from, String target, Path file, int line) {
        Ref r = new Ref(from, target, packageOf(target), file, line);
        refs.add(r);
        String to = r.targetPackage();
        if (!to.equals(from) && under(from) && under(to)) {
            edges.computeIfAbsent(from, k -> new TreeMap<>()).putIfAbsent(to, r);
        }
    }

    private boolean under(String pkg) {
        return pkg.equals(root) || pkg.startsWith(root + ".");
    }

    /** The package of a referenced name: the levels before the first capitalised one (or before {@code *}). */
    static String packageOf(String name) {
        String[] levels = name.split("\\.");
        StringBuilder b = new StringBuilder();
        for (String l : levels) {
            if (l.equals("*") || Character.isUpperCase(l.charAt(0))) {
                break;
            }
            if (!b.isEmpty()) {
                b.append('.');
            }
            b.append(l);
        }
        return b.toString();
    }

    /** The packages seen. */
    public Set<String> packages() {
        return packages;
    }

    /** Every reference (import or qualified name) made from a package {@code from} accepts to a name {@code target} accepts. */
    public List<Ref> refs(Predicate<String> from, Predicate<String> target) {
        return refs.stream().filter(r -> from.test(r.from()) && target.test(r.target())).toList();
    }

    /** The components of more than one package: each is a set of packages that depend on one another in a cycle. */
    public List<Set<String>> cycles() {
        Tarjan t = new Tarjan();
        for (String p : packages) {
            if (!t.index.containsKey(p)) {
                t.visit(p);
            }
        }
        return t.components.stream().filter(c -> c.size() > 1).toList();
    }

    /**
     * A component in words: its packages, then one shortest cycle through it from its first
     * package, each edge with the reference that makes it.
     */
    public String describe(Set<String> component) {
        StringBuilder b = new StringBuilder("package cycle among ").append(component).append(":");
        for (Ref r : cycleThrough(component)) {
            b.append("\n  ").append(r);
        }
        return b.toString();
    }

    /** One shortest cycle from the component's first package back to it, as the references making its edges. */
    public List<Ref> cycleThrough(Set<String> component) {
        String start = component.iterator().next();
        Map<String, String> previous = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(start));
        while (!queue.isEmpty()) {
            String p = queue.removeFirst();
            for (String next : edges.getOrDefault(p, Map.of()).keySet()) {
                if (!component.contains(next)) {
                    continue;
                }
                if (next.equals(start)) {
                    List<Ref> path = new ArrayList<>();
                    path.add(edges.get(p).get(start));
                    for (String at = p; !at.equals(start); at = previous.get(at)) {
                        path.addFirst(edges.get(previous.get(at)).get(at));
                    }
                    return path;
                }
                if (!previous.containsKey(next)) {
                    previous.put(next, p);
                    queue.addLast(next);
                }
            }
        }
        throw new IllegalArgumentException("no cycle through " + start + " in " + component);
    }

    /** Tarjan's strongly connected components over {@link #edges}. */
    private final class Tarjan {
        final Map<String, Integer> index = new HashMap<>();
        final Map<String, Integer> low = new HashMap<>();
        final Deque<String> stack = new ArrayDeque<>();
        final Set<String> onStack = new TreeSet<>();
        final List<Set<String>> components = new ArrayList<>();

        void visit(String p) {
            index.put(p, index.size());
            low.put(p, index.get(p));
            stack.push(p);
            onStack.add(p);
            for (String q : edges.getOrDefault(p, Map.of()).keySet()) {
                if (!index.containsKey(q)) {
                    visit(q);
                    low.put(p, Math.min(low.get(p), low.get(q)));
                } else if (onStack.contains(q)) {
                    low.put(p, Math.min(low.get(p), index.get(q)));
                }
            }
            if (low.get(p).equals(index.get(p))) {
                Set<String> c = new TreeSet<>();
                String q;
                do {
                    q = stack.pop();
                    onStack.remove(q);
                    c.add(q);
                } while (!q.equals(p));
                components.add(c);
            }
        }
    }

    /**
     * The source with comments and the contents of string, text-block and char literals
     * blanked (line breaks kept, so line numbers stay), leaving only code to match.
     */
    static String stripCommentsAndStrings(String s) {
        StringBuilder b = new StringBuilder(s.length());
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                while (i < n && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                blank(s, i, end, b);
                i = end;
            } else if (s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                end = end < 0 ? n : end + 3;
                blank(s, i, end, b);
                i = end;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && s.charAt(j) != c && s.charAt(j) != '\n') {
                    j += s.charAt(j) == '\\' ? 2 : 1;
                }
                int end = Math.min(n, j + 1);
                blank(s, i, end, b);
                i = end;
            } else {
                b.append(c);
                i++;
            }
        }
        return b.toString();
    }

    private static void blank(String s, int from, int to, StringBuilder b) {
        for (int k = from; k < to; k++) {
            b.append(s.charAt(k) == '\n' ? '\n' : ' ');
        }
    }

    /** The edges as {@code from -> [to...]}, for messages. */
    public Map<String, Set<String>> edges() {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        edges.forEach((from, tos) -> out.put(from, tos.keySet()));
        return out;
    }
}
