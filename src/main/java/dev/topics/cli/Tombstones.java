package dev.topics.cli;

import java.util.Map;

/** A tombstone said in words, for the stderr of {@code read} and {@code tail}. */
final class Tombstones {
    private Tombstones() {
    }

    static String describe(String topic, Map<?, ?> tombstone) {
        Object reason = tombstone.get("reason");
        if ("retention".equals(reason)) {
            return "records " + JsonTree.text(tombstone.get("from_seq")) + "–" + JsonTree.text(tombstone.get("to_seq"))
                    + " of " + topic + " were evicted (retention) before they were read";
        }
        if ("reset".equals(reason)) {
            return topic + " was deleted and made again: its seqs started over (head_seq "
                    + JsonTree.text(tombstone.get("head_seq")) + ")";
        }
        if ("deleted".equals(reason)) {
            return topic + " was deleted";
        }
        return topic + ": tombstone " + JsonTree.text(tombstone);
    }
}
