package dev.topics.storage;

/**
 * Moves a control entry's cursor from {@code expected} to {@code to} (compare-and-set).
 * Attached to a write ({@link AppendRequest#cursorMove}), the move and the records are one
 * WAL frame: after a crash both happened or neither, which makes a local router's copy
 * exactly-once (SPEC §9). A move whose entry is gone or whose cursor is no longer
 * {@code expected} is refused ({@link StorageException.CursorConflict}) and nothing is written.
 */
public record CursorMove(ControlEntry.Key entry, long expected, long to) {
}
