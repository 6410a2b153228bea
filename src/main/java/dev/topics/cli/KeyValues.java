package dev.topics.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One object for people: a {@code key: value} line per field, values aligned, nested
 * objects flattened to dotted keys ({@code config.ttl_ms}). The server's timing block
 * ({@code performance}) is left out.
 */
final class KeyValues {
    private KeyValues() {
    }

    static void print(PrintWriter out, Map<String, Object> object) {
        List<String[]> lines = new ArrayList<>();
        flatten("", object, lines);
        int width = 0;
        for (String[] l : lines) {
            width = Math.max(width, l[0].length());
        }
        for (String[] l : lines) {
            out.println(l[0] + ":" + " ".repeat(width - l[0].length() + 1) + l[1]);
        }
    }

    private static void flatten(String prefix, Map<?, ?> object, List<String[]> lines) {
        object.forEach((k, v) -> {
            if (prefix.isEmpty() && k.equals("performance")) {
                return;
            }
            String key = prefix + k;
            if (v instanceof Map<?, ?> m && !m.isEmpty()) {
                flatten(key + ".", m, lines);
            } else {
                lines.add(new String[] {key, JsonTree.text(v)});
            }
        });
    }
}
