package dev.topics.access;

/**
 * What a caller wants to do with a topic (SPEC §11). {@code MIRROR} is the right to write
 * records that carry an {@code origin}: origin marks decide what dedupe drops later, so a
 * write with origins needs it beside {@code PUBLISH}. Share tokens and public flags never
 * grant it.
 */
public enum Action {
    READ, PUBLISH, MIRROR;

    public String json() {
        return switch (this) {
            case READ -> "read";
            case PUBLISH -> "publish";
            case MIRROR -> "mirror";
        };
    }
}
