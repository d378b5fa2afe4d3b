package io.herald.bench.worker;

/**
 * One place in a soak or chaos fleet: a connection that comes and goes (churn, a killed node) and
 * is opened again as a new {@link Session} each time. Slot {@code g} is a presence member or a
 * public-channel subscriber for the whole run; its channel never changes.
 */
final class Slot {
    final int index;
    final boolean presence;
    /** Index into the run's channel list (public channels first, then presence channels). */
    final int channelIndex;
    final String channelName;
    /** Generation of the latest session (-1: none yet); presence user ids carry it, so each session is a new member. */
    int gen = -1;
    Session current;
    /** Waiting in the open queue or for a reconnect timer: not to be queued twice. */
    boolean queued;

    Slot(int index, boolean presence, int channelIndex, String channelName) {
        this.index = index;
        this.presence = presence;
        this.channelIndex = channelIndex;
        this.channelName = channelName;
    }

    /** A presence member's id in session {@code gen}: a fresh member each time, so a leftover one is a ghost. */
    String userId(int generation) {
        return "u" + index + "-" + generation;
    }
}
