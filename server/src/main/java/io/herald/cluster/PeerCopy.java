package io.herald.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * This node's copy of one other node's replicated state, and where the copy stands in that
 * node's numbered changes: the last version applied, the changes that came before the ones they
 * follow (held until those are in), and whether a sync is awaited. Control thread only.
 */
final class PeerCopy {
    /** Changes held while a sync is awaited; beyond them the sync (or the next one) covers the rest. */
    private static final int MAX_HELD = 10_000;

    final ReplicatedState state = new ReplicatedState();
    private final TreeMap<Long, ClusterMessage> held = new TreeMap<>();
    /** The version of the last change (or sync) applied. */
    private long version;
    /** A sync was applied and every change since (false: a sync is awaited before changes apply). */
    private boolean following;
    private boolean everSynced;
    /** When a sync was last asked for; 0 when none is awaited. */
    long askedNanos;

    long version() {
        return version;
    }

    boolean following() {
        return following;
    }

    /** Changes are missing: a sync is needed before the held ones can apply. */
    boolean missing() {
        return !held.isEmpty();
    }

    /** The copy is ahead of its node's own count: wrong, and only a sync can tell what is right. */
    void distrust() {
        following = false;
    }

    /** The change numbered {@code changeVersion} came: the changes to apply now, in order (none when it waits or is old). */
    List<ClusterMessage> changed(long changeVersion, ClusterMessage change) {
        if (following && changeVersion <= version) {
            return List.of(); // the last sync had it
        }
        if (following && changeVersion == version + 1) {
            version = changeVersion;
            List<ClusterMessage> now = new ArrayList<>();
            now.add(change);
            now.addAll(heldInTurn());
            return now;
        }
        if (held.size() >= MAX_HELD) {
            held.clear();
        }
        held.put(changeVersion, change);
        return List.of();
    }

    /** Whether a sync at {@code syncVersion} is news (an older one may answer an earlier request). */
    boolean takes(long syncVersion) {
        return !following || syncVersion >= version;
    }

    /** A sync at {@code syncVersion} replaced the state: the held changes that follow it, to apply now in order. */
    List<ClusterMessage> synced(long syncVersion) {
        version = syncVersion;
        following = true;
        askedNanos = 0;
        return heldInTurn();
    }

    /** True only the first time: the node's state has arrived once. */
    boolean firstSync() {
        boolean first = !everSynced;
        everSynced = true;
        return first;
    }

    private List<ClusterMessage> heldInTurn() {
        held.headMap(version, true).clear();
        List<ClusterMessage> now = new ArrayList<>();
        while (!held.isEmpty() && held.firstKey() == version + 1) {
            now.add(held.pollFirstEntry().getValue());
            version++;
        }
        return now;
    }
}
