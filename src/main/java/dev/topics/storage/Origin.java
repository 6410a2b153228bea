package dev.topics.storage;

/** Where a record was first written (SPEC §8): a server's node id, a topic and a seq there. */
public record Origin(String node, String topic, long seq) {
}
