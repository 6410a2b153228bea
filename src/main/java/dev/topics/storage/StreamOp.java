package dev.topics.storage;

/**
 * What a write on the Durable Streams surface asks of the stream's state (SPEC §16),
 * checked and applied by the committer in the same commit as the records, so the checks of
 * one stream are serialised and a crash keeps the records and the state together.
 *
 * <p>Order of the checks (the protocol's precedence): soft-deleted (gone); a stale producer
 * epoch (403); a duplicate producer append (answered as deduplicated, nothing written);
 * closed (a close-only request succeeds again, anything else is refused with the final
 * offset); a producer's new epoch not starting at 0 (400) or a gap in its seqs (409);
 * {@code Stream-Seq} not above the last one (409).
 *
 * @param producer  the append's producer tuple, or null
 * @param streamSeq the append's {@code Stream-Seq}, or null
 * @param close     close the stream after the records (the batch may be empty: close-only)
 * @param body      the request had a body: it is no close-only request, even with no records
 *                  (a body for a closed stream is not encoded, and is refused as closed)
 */
public record StreamOp(StreamMeta.Producer producer, String streamSeq, boolean close, boolean body) {
}
