package dev.topics.access;

/** What a caller wants to do with a topic (SPEC §11). */
public enum Action {
    READ, PUBLISH;

    public String json() {
        return this == READ ? "read" : "publish";
    }
}
