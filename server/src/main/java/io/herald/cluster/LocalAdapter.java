package io.herald.cluster;

import io.herald.events.ServerEvents;
import io.netty.buffer.ByteBuf;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Single-node driver: a publish goes straight to this node's subscribers, and this node decides
 * every channel fact (on a thread of its own, which also runs the holds of vacated channels).
 */
public final class LocalAdapter implements Adapter {
    private static final CompletionStage<Boolean> DELIVERED = CompletableFuture.completedStage(true);
    private final ServerEvents events;
    private final ScheduledThreadPoolExecutor factsThread = new ScheduledThreadPoolExecutor(1, runnable -> {
        Thread thread = new Thread(runnable, "herald-facts");
        thread.setDaemon(true);
        return thread;
    });
    private final ChannelFacts facts;
    private volatile AdapterEventHandler handler;

    public LocalAdapter(ServerEvents events) {
        this.events = events;
        factsThread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.facts = new ChannelFacts(new ChannelFacts.View() {
            @Override
            public boolean present(ChannelFacts.Key key) {
                ChannelSnapshot channel = handler.localChannel(key.appId(), key.channel());
                return key.isMember() ? channel.userIds().contains(key.userId()) : channel.occupied();
            }

            @Override
            public boolean ownsHere(String appId, String channel) {
                return true;
            }
        }, events, factsThread, (key, present) -> { });
    }

    @Override
    public void start(AdapterEventHandler handler) {
        this.handler = handler;
        factsThread.execute(facts::ready);
    }

    @Override
    public CompletionStage<Boolean> publish(String appId, String channel, ByteBuf frame, String excludeSocketId) {
        handler.onPublish(appId, channel, frame, excludeSocketId);
        return DELIVERED;
    }

    @Override
    public CompletableFuture<Map<String, ChannelSnapshot>> channels(String appId, String prefix) {
        return CompletableFuture.completedFuture(handler.localChannels(appId, prefix));
    }

    @Override
    public CompletableFuture<ChannelSnapshot> channel(String appId, String channel) {
        return CompletableFuture.completedFuture(handler.localChannel(appId, channel));
    }

    @Override
    public CompletableFuture<Set<String>> onlineUsers(String appId, Set<String> userIds) {
        return CompletableFuture.completedFuture(handler.localOnlineUsers(appId, userIds));
    }

    @Override
    public void presenceMemberJoined(String appId, String channel, String userId, String userInfoJson, String joiningSocketId) {
        handler.deliverMemberAdded(appId, channel, userId, userInfoJson, joiningSocketId);
        factChanged(ChannelFacts.Key.member(appId, channel, userId));
    }

    @Override
    public void presenceMemberLeft(String appId, String channel, String userId) {
        handler.deliverMemberRemoved(appId, channel, userId);
        factChanged(ChannelFacts.Key.member(appId, channel, userId));
    }

    @Override
    public void localOccupancyChanged(String appId, String channel) {
        factChanged(ChannelFacts.Key.channel(appId, channel));
    }

    /** The registry is read on the facts thread, so changes from two loops are judged by their outcome. */
    private void factChanged(ChannelFacts.Key key) {
        if (events.wantsChannelFacts(key.appId())) {
            factsThread.execute(() -> facts.changed(key));
        }
    }

    @Override
    public void userCameOnline(String appId, String userId) {
        handler.deliverWatchlistStatus(appId, userId, "online");
    }

    @Override
    public void userWentOffline(String appId, String userId) {
        handler.deliverWatchlistStatus(appId, userId, "offline");
    }

    @Override
    public void terminateUserConnections(String appId, String userId) {
        handler.onTerminateUser(appId, userId);
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public void close() {
        // Every connection has closed by now; what they left behind is announced before we go.
        factsThread.execute(facts::endHolds);
        factsThread.shutdown();
        try {
            factsThread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
