/**
 * The write-ahead log: its file format ({@code WalFormat}), writer and reader, the append
 * ring that feeds the committer thread, the committer (group commit, fsync, admission
 * against free disk space) and its task type. It frames and checks bytes; what a frame
 * means is the engine's business ({@code engine.Frames}).
 *
 * <p>Rule: imports only {@code io} and {@code fault}; imported by the engine (and by the
 * server's gauges, for the committer's counters). It never imports the face or the engine.
 */
package dev.topics.storage.wal;
