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

    /** The stream was deleted while forks still read its records (SPEC §16): gone, its name not reusable yet. */
    public static final class StreamGone extends StorageException {
        public StreamGone(String topic) {
            super("stream '" + topic + "' was deleted; it is kept only for the forks that read it");
        }
    }

    /** A record or a change for a closed stream (SPEC §16); {@code headSeq} is its final position. */
    public static final class StreamClosed extends StorageException {
        private final long headSeq;

        public StreamClosed(String topic, long headSeq) {
            super("stream '" + topic + "' is closed: it takes no more records");
            this.headSeq = headSeq;
        }

        public long headSeq() {
            return headSeq;
        }
    }

    /** A producer epoch below the stream's for that producer (zombie fencing). */
    public static final class StaleEpoch extends StorageException {
        private final long current;

        public StaleEpoch(String producer, long given, long current) {
            super("producer '" + producer + "' epoch " + given + " is older than the current epoch " + current);
            this.current = current;
        }

        public long current() {
            return current;
        }
    }

    /** A producer seq that skips ahead of the one expected. */
    public static final class ProducerSeqGap extends StorageException {
        private final long expected;
        private final long received;

        public ProducerSeqGap(String producer, long expected, long received) {
            super("producer '" + producer + "' sent seq " + received + " but " + expected + " was expected");
            this.expected = expected;
            this.received = received;
        }

        public long expected() {
            return expected;
        }

        public long received() {
            return received;
        }
    }

    /**
     * A request the stream's state refuses (SPEC §16), with the HTTP status and error code it
     * answers: 400 (a new producer epoch not starting at 0, a fork offset past the data) or
     * 409 (a Stream-Seq regression, another content type, a soft-deleted name).
     */
    public static final class StreamRefused extends StorageException {
        private final int status;
        private final String code;

        public StreamRefused(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }
    }

    /** The source of a fork does not exist. */
    public static final class ForkSourceNotFound extends StorageException {
        public ForkSourceNotFound(String source) {
            super("fork source stream '" + source + "' does not exist");
        }
    }
}
