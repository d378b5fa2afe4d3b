package io.herald.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.app.App;
import io.herald.events.ServerEvents;
import io.herald.wire.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A channel's subscribers on one loop and a connection's channels, as they grow from one to
 * several and shrink back (each keeps its first member without a table): every publish reaches
 * exactly the subscribers of the moment, and the counts follow.
 */
class ChannelSubscribersTest {
    private static final App APP = App.builder("subs-app", "subs-key", "subs-secret").build();
    private static final String CHANNEL = "room";

    private final EmbeddedChannel loopChannel = new EmbeddedChannel();
    private final ChannelRegistry registry = new ChannelRegistry(loopChannel.eventLoop(), ServerEvents.NONE);
    private final List<EmbeddedChannel> sockets = new ArrayList<>();

    @AfterEach
    void close() {
        sockets.forEach(EmbeddedChannel::finishAndReleaseAll);
        loopChannel.finishAndReleaseAll();
    }

    private Connection connect(String socketId) {
        EmbeddedChannel socket = new EmbeddedChannel(new ChannelInboundHandlerAdapter()); // the connection writes from the last handler
        sockets.add(socket);
        Connection connection = new Connection(socket, APP, socketId, registry.loops().get(0));
        registry.connected(connection);
        return connection;
    }

    private void subscribe(Connection connection, String channel) {
        registry.subscribe(connection, channel, null, null, Map.of());
    }

    /** Publishes one event and returns the socket ids that received it. */
    private List<String> publish(String excludeSocketId, Connection... candidates) {
        ByteBuf frame = Frames.event(UnpooledByteBufAllocator.DEFAULT, "e", CHANNEL, "{}");
        registry.onPublish(APP.id(), CHANNEL, frame, excludeSocketId); // takes the frame
        loopChannel.runPendingTasks();
        List<String> received = new ArrayList<>();
        for (Connection candidate : candidates) {
            EmbeddedChannel socket = (EmbeddedChannel) candidate.channel();
            socket.runPendingTasks();
            ByteBuf written;
            while ((written = socket.readOutbound()) != null) {
                written.release();
                received.add(candidate.socketId());
            }
        }
        return received;
    }

    private int subscriptionCount() {
        return registry.localChannel(APP.id(), CHANNEL).subscriptionCount();
    }

    @Test
    void publishesReachTheSubscribersOfTheMomentAsTheyComeAndGo() {
        Connection one = connect("1.1");
        Connection two = connect("2.2");
        Connection three = connect("3.3");
        subscribe(one, CHANNEL);
        assertThat(publish(null, one, two, three)).containsExactly("1.1");
        subscribe(two, CHANNEL);
        subscribe(three, CHANNEL);
        subscribe(three, CHANNEL); // twice: still one subscription
        assertThat(subscriptionCount()).isEqualTo(3);
        assertThat(publish(null, one, two, three)).containsExactly("1.1", "2.2", "3.3");
        assertThat(publish("2.2", one, two, three)).as("the publisher's socket excluded").containsExactly("1.1", "3.3");

        registry.unsubscribe(one, CHANNEL);
        registry.unsubscribe(three, CHANNEL);
        assertThat(subscriptionCount()).isEqualTo(1);
        assertThat(publish(null, one, two, three)).containsExactly("2.2");
        assertThat(publish("2.2", one, two, three)).isEmpty();
        assertThat(registry.unsubscribe(one, CHANNEL)).as("not subscribed any more").isNull();

        subscribe(one, CHANNEL);
        assertThat(publish(null, one, two, three)).containsExactlyInAnyOrder("1.1", "2.2");
        registry.unsubscribe(two, CHANNEL);
        ChannelRegistry.Leaving last = registry.unsubscribe(one, CHANNEL);
        assertThat(last.lastSubscriberHere()).isTrue();
        assertThat(registry.channel(APP.id(), CHANNEL)).as("an empty channel is dropped").isNull();
        assertThat(publish(null, one, two, three)).isEmpty();
    }

    @Test
    void aConnectionsChannelsGrowFromOneToSeveralAndBack() {
        Connection connection = connect("4.4");
        assertThat(connection.subscriptionCount()).isZero();
        subscribe(connection, "a");
        assertThat(connection.subscription("a")).isNotNull();
        assertThat(connection.subscription("b")).isNull();
        subscribe(connection, "b");
        subscribe(connection, "c");
        assertThat(connection.subscriptionCount()).isEqualTo(3);
        assertThat(connection.subscriptions()).extracting(s -> s.channel().name()).containsExactlyInAnyOrder("a", "b", "c");
        registry.unsubscribe(connection, "a");
        registry.unsubscribe(connection, "c");
        assertThat(connection.subscriptionCount()).isEqualTo(1);
        assertThat(connection.subscription("b")).isNotNull();
        registry.unsubscribe(connection, "b");
        assertThat(connection.subscriptionCount()).isZero();
        assertThat(connection.subscriptions()).isEmpty();
        subscribe(connection, "d");
        assertThat(registry.disconnected(connection).channelsLeft()).extracting(ChannelRegistry.Leaving::channel).containsExactly("d");
    }
}
