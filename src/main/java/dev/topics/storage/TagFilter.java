package dev.topics.storage;

import java.util.List;

/**
 * A filter every accepted record of which carries one of {@link #tags()} — so a delete can
 * skip segments whose tag Bloom filter rules all of them out. Filter expressions compile
 * to this when they pin the tag ({@code ["tag","Eq",x]}, {@code ["tag","In",[…]]}, or an
 * {@code And} holding one).
 */
public interface TagFilter extends RecordFilter {
    /** UTF-8 tags; an accepted record has one of them. */
    List<byte[]> tags();
}
