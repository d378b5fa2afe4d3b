package io.herald.cluster;

import io.herald.events.ServerEvents;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Decides the cluster-wide channel facts (occupied / vacated, member added / removed) once for the
 * whole cluster, and reports them to {@link ServerEvents}.
 *
 * <p>The rule: every fact of a channel is decided by one node, the channel's owner (see
 * {@link ChannelOwners}). Each node keeps what the owners have announced so far, a copy
 * replicated with every announcement. The owner compares that with the channel's state across the
 * cluster: a channel or member that is there but not announced is announced at once (occupied,
 * member added); one that is announced but gone anywhere is held for {@link #HOLD_MILLIS} and
 * announced (vacated, member removed) only if it is still gone then. When the owner changes (a
 * node joins, leaves or crashes), the new owner compares the same way, so nothing in flight is
 * lost: a crashed owner's pending vacated is announced by its successor.
 *
 * <p>Confined to one thread (the adapter's), which also runs the holds.
 */
final class ChannelFacts {
    /** How long a vacated channel or departed member is held before it is announced. */
    static final long HOLD_MILLIS = 3000;

    /** One fact's subject: a channel ({@code userId} null) or one member of a presence channel. */
    record Key(String appId, String channel, String userId) {
        static Key channel(String appId, String channel) {
            return new Key(appId, channel, null);
        }

        static Key member(String appId, String channel, String userId) {
            return new Key(appId, channel, userId);
        }

        boolean isMember() {
            return userId != null;
        }
    }

    /** What this node knows of the cluster; asked on the facts thread. */
    interface View {
        /** The channel has subscribers, or the user is in it, on some node. */
        boolean present(Key key);

        /** This node decides the channel's facts. */
        boolean ownsHere(String appId, String channel);
    }

    private final View view;
    private final ServerEvents events;
    private final ScheduledExecutorService thread;
    /** Called with each announcement, for the other nodes' copies. */
    private final BiConsumer<Key, Boolean> tellPeers;
    private final long holdMillis;
    /** Facts announced as present (by whichever owner), and not announced gone since. */
    private final Set<Key> announced = new HashSet<>();
    /** Keys present somewhere or announced: all that a change of owner may need to look at again. */
    private final Set<Key> known = new HashSet<>();
    private final Map<Key, ScheduledFuture<?>> holds = new HashMap<>();
    private boolean ready;

    ChannelFacts(View view, ServerEvents events, ScheduledExecutorService thread, BiConsumer<Key, Boolean> tellPeers) {
        this(view, events, thread, tellPeers, HOLD_MILLIS);
    }

    /** With another hold, for tests. */
    ChannelFacts(View view, ServerEvents events, ScheduledExecutorService thread, BiConsumer<Key, Boolean> tellPeers,
                 long holdMillis) {
        this.holdMillis = holdMillis;
        this.view = view;
        this.events = events;
        this.thread = thread;
        this.tellPeers = tellPeers;
    }

    /**
     * From now on this node may decide (once it knows the cluster's state: deciding earlier would
     * announce again what the others announced before it started).
     */
    void ready() {
        ready = true;
        reconcileAll();
    }

    /** The channel's or member's state may have changed somewhere. */
    void changed(Key key) {
        reconcile(key);
    }

    /** The set of deciding nodes changed: each node's share of the channels moved. */
    void reconcileAll() {
        for (Key key : List.copyOf(known)) {
            reconcile(key);
        }
    }

    /**
     * This node is the last one: nobody can come back to it within a hold, so every held fact is
     * announced now rather than lost with the node.
     */
    void endHolds() {
        for (Key key : List.copyOf(holds.keySet())) {
            cancelHold(key);
            holdEnded(key);
        }
    }

    /** An owner elsewhere announced a fact. */
    void announcedElsewhere(Key key, boolean present) {
        if (present) {
            announced.add(key);
        } else {
            announced.remove(key);
        }
        reconcile(key);
    }

    /** The facts announced present of the channels this node decides (for a node that asks for our state). */
    List<Key> announcedHere() {
        List<Key> keys = new ArrayList<>();
        for (Key key : announced) {
            if (view.ownsHere(key.appId(), key.channel())) {
                keys.add(key);
            }
        }
        return keys;
    }

    private void reconcile(Key key) {
        boolean present = view.present(key);
        boolean said = announced.contains(key);
        if (present || said) {
            known.add(key);
        } else {
            known.remove(key);
        }
        if (present == said || !ready || !view.ownsHere(key.appId(), key.channel())) {
            // Settled, or another node decides (a later change of owner brings it back here).
            cancelHold(key);
            return;
        }
        if (present) {
            cancelHold(key);
            announce(key, true);
        } else if (!holds.containsKey(key) && !thread.isShutdown()) {
            // A node that stops holds nothing: a node that stays takes the fact over (see endHolds).
            holds.put(key, thread.schedule(() -> holdEnded(key), holdMillis, TimeUnit.MILLISECONDS));
        }
    }

    private void holdEnded(Key key) {
        holds.remove(key);
        if (ready && announced.contains(key) && !view.present(key) && view.ownsHere(key.appId(), key.channel())) {
            announce(key, false);
            known.remove(key);
        }
    }

    private void cancelHold(Key key) {
        ScheduledFuture<?> hold = holds.remove(key);
        if (hold != null) {
            hold.cancel(false);
        }
    }

    private void announce(Key key, boolean present) {
        if (present) {
            announced.add(key);
        } else {
            announced.remove(key);
        }
        // Reported before the other nodes hear of it: a crash in between posts a fact twice rather than never.
        if (key.isMember()) {
            if (present) {
                events.memberAdded(key.appId(), key.channel(), key.userId());
            } else {
                events.memberRemoved(key.appId(), key.channel(), key.userId());
            }
        } else if (present) {
            events.channelOccupied(key.appId(), key.channel());
        } else {
            events.channelVacated(key.appId(), key.channel());
        }
        tellPeers.accept(key, present);
    }
}
