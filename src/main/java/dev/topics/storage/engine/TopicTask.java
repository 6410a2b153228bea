package dev.topics.storage.engine;

import dev.topics.storage.StorageException;
import dev.topics.storage.TopicChange;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.TopicInfo;
import dev.topics.storage.TopicPatch;
import dev.topics.storage.io.ByteSink;
import dev.topics.storage.wal.CommitTask;
import java.util.List;

/** Creating, changing or deleting a topic, through the committer like every change. */
final class TopicTask extends CommitTask {
    /** EXPIRE: a delete of a Durable Streams stream past its TTL or expiry time, if it still is at commit. */
    enum Kind { PUT, PATCH, DELETE, EXPIRE }

    private final Engine engine;
    private Kind kind;
    /** An expiry that found the stream no longer expired: nothing happened. */
    private boolean noop;
    private final String name;
    private final TopicPatch patch;
    private final String owner;
    private final TopicConfig defaults;
    private TopicLog topic;
    private TopicConfig newConfig;
    private boolean created;
    private TopicInfo before;
    /** A delete that only hides the topic: forks still read it. */
    private boolean softDeleted;
    /** A delete's topics: the topic, then each soft-deleted source its going frees. */
    private List<TopicLog> dropped = List.of();

    TopicTask(Engine engine, Kind kind, String name, TopicPatch patch, String owner, TopicConfig defaults) {
        this.engine = engine;
        this.kind = kind;
        this.name = name;
        this.patch = patch;
        this.owner = owner;
        this.defaults = defaults;
    }

    /** Deleting a topic frees its files: allowed on a full disk. */
    @Override
    protected boolean mayUseReserve() {
        return kind == Kind.DELETE || kind == Kind.EXPIRE;
    }

    @Override
    protected long spaceNeeded() {
        return kind == Kind.PUT ? 64 * 1024 : 1024; // a new topic: its directory and first segment
    }

    @Override
    protected Sync prepare(ByteSink wal) throws Exception {
        TopicLog t = engine.byName.get(name);
        if (kind == Kind.EXPIRE) {
            if (t == null || t.stream == null || t.stream.softDeleted()
                    || !t.stream.expired(now(), t.lastAccessMs)) {
                noop = true; // used or changed since the sweep looked
                return Sync.NONE;
            }
            kind = Kind.DELETE;
        }
        if (t == null && kind != Kind.PUT) {
            throw new StorageException.TopicNotFound(name);
        }
        if (t != null && t.stream != null && t.stream.softDeleted()) {
            throw new StorageException.StreamGone(name);
        }
        if (kind == Kind.DELETE) {
            topic = t;
            before = t.info();
            if (t.forkCount > 0) {
                // forks still read its records (SPEC §16): hidden, kept until the last fork goes
                softDeleted = true;
                t.stream = t.stream.withSoftDeleted();
                engine.dropControlsOf(name);
                if (!t.durable()) {
                    return Sync.NONE;
                }
                Frames.records(wal, t, false, null, 0, 0, 0, null, t.stream, 0, new byte[0], 0);
                return Sync.FORCE;
            }
            dropped = engine.dropWithSources(t, wal);
            return dropped.stream().anyMatch(TopicLog::durable) ? Sync.FORCE : Sync.NONE;
        }
        if (t == null) {
            TopicConfig cfg = patch.applyTo(defaults);
            topic = engine.newTopic(engine.nextTopicId, name, owner, now(), cfg);
            created = true;
            if (!cfg.durable()) {
                return Sync.NONE;
            }
            Frames.topicCreate(wal, topic);
            return Sync.FORCE;
        }
        topic = t;
        TopicConfig next = patch.applyTo(t.config);
        if (next.durable() != t.config.durable()) {
            throw new StorageException.InvalidChange("durable cannot be changed after a topic is created");
        }
        if (next.equals(t.config)) {
            return Sync.NONE;
        }
        newConfig = next;
        if (!t.durable()) {
            return Sync.NONE;
        }
        Frames.topicConfig(wal, t.id, next);
        return Sync.FORCE;
    }

    @Override
    protected void apply() throws Exception {
        if (noop) {
            return;
        }
        switch (kind) {
            case DELETE -> {
                if (softDeleted) {
                    engine.showStream(topic);
                    engine.hideDropped(topic);
                } else {
                    for (TopicLog d : dropped) {
                        engine.drop(d);
                    }
                }
            }
            case PUT, PATCH -> {
                if (created) {
                    engine.publish(topic);
                } else if (newConfig != null) {
                    topic.config = newConfig;
                    engine.enforceRetention(topic, now()); // a lowered cap or TTL applies at once
                }
            }
        }
    }

    /** What changed; null for an expiry that found nothing to do. */
    TopicChange result() {
        if (noop) {
            return null;
        }
        return new TopicChange(kind == Kind.DELETE ? before : topic.info(), created, fsyncNanos);
    }
}
