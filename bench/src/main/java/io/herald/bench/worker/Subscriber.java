package io.herald.bench.worker;

import io.netty.channel.Channel;
import java.util.BitSet;

/** One bench connection: its channel, its state and the sequence numbers it has received. */
final class Subscriber {
    final int index;
    final String channelName;
    final int channelIndex;
    Channel channel;
    boolean subscribed;
    /** Connect phase over for this one (subscribed, failed or timed out). */
    boolean settled;
    /** We closed it (closeAll): its end is not a server-side drop. */
    boolean closedByUs;
    /** The connect command that opened it. */
    Object batch;
    final BitSet seen = new BitSet();

    Subscriber(int index, String channelName, int channelIndex) {
        this.index = index;
        this.channelName = channelName;
        this.channelIndex = channelIndex;
    }
}
