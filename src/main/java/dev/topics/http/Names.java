package dev.topics.http;

/**
 * Names of things that live under a topic or beside topics and appear in URLs:
 * subscriptions and routers. 1–128 characters of {@code A–Z a–z 0–9 . - _}, not
 * {@code .} or {@code ..}; case-sensitive. Anything else is 400 {@code invalid_name}.
 */
public final class Names {
    public static final int MAX = 128;

    private Names() {
    }

    public static String check(String name, String what) {
        if (name == null || name.isEmpty() || name.length() > MAX || name.equals(".") || name.equals("..")) {
            throw invalid(what);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'
                    || c == '_';
            if (!ok) {
                throw invalid(what);
            }
        }
        return name;
    }

    private static ApiError invalid(String what) {
        return ApiError.badRequest("invalid_name",
                "a " + what + " name is 1 to " + MAX + " characters of A-Z a-z 0-9 . - _ (and not . or ..)");
    }
}
