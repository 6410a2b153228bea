package dev.topics.storage;

/**
 * What recovery found.
 *
 * @param snapshotWalStart the WAL file the loaded snapshot starts at, or -1 without a snapshot
 * @param framesReplayed   WAL frames applied after the snapshot
 * @param bytesCut         bytes cut from the end of the WAL (a torn or damaged tail); 0 when whole
 * @param cutReason        why the cut was made, or null
 * @param millis           how long recovery took
 * @param repaired         what a {@code --repair} start cut and dropped, or null
 */
public record RecoveryReport(long snapshotWalStart, long framesReplayed, long bytesCut, String cutReason,
                             long millis, String repaired) {
}
