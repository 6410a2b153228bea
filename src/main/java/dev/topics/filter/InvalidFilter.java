package dev.topics.filter;

/**
 * A filter expression that does not compile (SPEC §6): 400 {@code invalid_filter}. The
 * message starts with the path of the bad part, e.g. {@code filter[1][0][1]: unknown op}.
 */
public final class InvalidFilter extends RuntimeException {
    private final String path;

    public InvalidFilter(String path, String message) {
        super(path + ": " + message, null, false, false);
        this.path = path;
    }

    /** Where in the request the bad part is: {@code filter}, then {@code [i]} per array index. */
    public String path() {
        return path;
    }
}
