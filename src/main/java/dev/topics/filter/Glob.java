package dev.topics.filter;

/**
 * {@code *} (any run of characters, the empty one included) and {@code ?} (exactly one
 * character — a whole code point) over code points; every other character is literal.
 * Immutable; any thread.
 */
final class Glob {
    private final int[] pattern;

    Glob(String pattern) {
        this.pattern = pattern.codePoints().toArray();
    }

    boolean matches(String text) {
        int[] t = text.codePoints().toArray();
        int p = 0;
        int i = 0;
        int starP = -1;
        int starI = 0;
        while (i < t.length) {
            if (p < pattern.length && (pattern[p] == '?' || (pattern[p] != '*' && pattern[p] == t[i]))) {
                p++;
                i++;
            } else if (p < pattern.length && pattern[p] == '*') {
                starP = p++;
                starI = i;
            } else if (starP >= 0) {
                // let the last star swallow one more character and retry from there
                p = starP + 1;
                i = ++starI;
            } else {
                return false;
            }
        }
        while (p < pattern.length && pattern[p] == '*') {
            p++;
        }
        return p == pattern.length;
    }
}
