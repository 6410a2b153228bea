package dev.topics.storage;

import java.util.Locale;

/** The engine refused or failed an operation; subclasses name the condition. */
public class StorageException extends RuntimeException {
    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    /** No topic of that name exists (or it was deleted while the operation ran). */
    public static final class TopicNotFound extends StorageException {
        public TopicNotFound(String topic) {
            super("topic '" + topic + "' does not exist");
        }
    }

    /** A write refused because it would take a {@code discard: new} topic past a cap (SPEC §7). */
    public static final class TopicFull extends StorageException {
        public TopicFull(String topic, String cap) {
            super("topic '" + topic + "' is full: the write would exceed " + cap + " (discard: new)");
        }
    }

    /** A change the engine cannot make, e.g. flipping {@code durable} on an existing topic. */
    public static final class InvalidChange extends StorageException {
        public InvalidChange(String message) {
            super(message);
        }
    }

    /** The engine is closed, still recovering, or stopped after an I/O error. */
    public static final class Unavailable extends StorageException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Stored bytes failed their check (CRC, length) when read: the file and byte are named.
     * Never answered with altered data; see docs/RELIABILITY.md.
     */
    public static final class Damaged extends StorageException {
        public Damaged(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The disk is full (or the write would eat into the reserve kept for deletes): the
     * change was not applied. Writes resume by themselves once space is free.
     */
    public static final class InsufficientStorage extends StorageException {
        public InsufficientStorage(String message) {
            super(message);
        }
    }

    /** A control entry (router, subscription, webhook) that does not exist (any more). */
    public static final class ControlNotFound extends StorageException {
        private final ControlEntry.Key key;

        public ControlNotFound(ControlEntry.Key key) {
            super(key.kind().name().toLowerCase(Locale.ROOT) + " '" + key.id() + "' does not exist");
            this.key = key;
        }

        public ControlEntry.Key key() {
            return key;
        }
    }

    /** A {@link CursorMove} whose entry's cursor had moved elsewhere: nothing was written. */
    public static final class CursorConflict extends StorageException {
        public CursorConflict(ControlEntry.Key key, long expected, long actual) {
            super("the cursor of " + key.kind().name().toLowerCase(Locale.ROOT) + " '" + key.id() + "' is "
                    + actual + ", not " + expected);
        }
    }
}
