package io.herald.cluster;

import io.netty.buffer.ByteBuf;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** Single-node driver: a publish goes straight to this node's subscribers. */
public final class LocalAdapter implements Adapter {
    private volatile AdapterEventHandler handler;

    @Override
    public void start(AdapterEventHandler handler) {
        this.handler = handler;
    }

    @Override
    public void publish(String appId, String channel, ByteBuf frame, String excludeSocketId) {
        handler.onPublish(appId, channel, frame, excludeSocketId);
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
    }

    @Override
    public void presenceMemberLeft(String appId, String channel, String userId) {
        handler.deliverMemberRemoved(appId, channel, userId);
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
    public void close() {}
}
