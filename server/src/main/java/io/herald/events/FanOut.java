package io.herald.events;

import java.util.List;

/** Several listeners as one (webhooks and metrics): each fact goes to each, in order. */
final class FanOut implements ServerEvents {
    private final ServerEvents[] listeners;

    FanOut(List<ServerEvents> listeners) {
        this.listeners = listeners.toArray(ServerEvents[]::new);
    }

    @Override
    public void connectionOpened(String appId) {
        for (ServerEvents l : listeners) {
            l.connectionOpened(appId);
        }
    }

    @Override
    public void connectionClosed(String appId) {
        for (ServerEvents l : listeners) {
            l.connectionClosed(appId);
        }
    }

    @Override
    public boolean wantsChannelFacts(String appId) {
        for (ServerEvents l : listeners) {
            if (l.wantsChannelFacts(appId)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void channelOccupied(String appId, String channel) {
        for (ServerEvents l : listeners) {
            l.channelOccupied(appId, channel);
        }
    }

    @Override
    public void channelVacated(String appId, String channel) {
        for (ServerEvents l : listeners) {
            l.channelVacated(appId, channel);
        }
    }

    @Override
    public void memberAdded(String appId, String channel, String userId) {
        for (ServerEvents l : listeners) {
            l.memberAdded(appId, channel, userId);
        }
    }

    @Override
    public void memberRemoved(String appId, String channel, String userId) {
        for (ServerEvents l : listeners) {
            l.memberRemoved(appId, channel, userId);
        }
    }

    @Override
    public void clientEvent(String appId, String channel, String event, String data, String socketId, String userId) {
        for (ServerEvents l : listeners) {
            l.clientEvent(appId, channel, event, data, socketId, userId);
        }
    }

    @Override
    public void cacheMiss(String appId, String channel) {
        for (ServerEvents l : listeners) {
            l.cacheMiss(appId, channel);
        }
    }

    @Override
    public boolean wantsSubscriptionCounts(String appId) {
        for (ServerEvents l : listeners) {
            if (l.wantsSubscriptionCounts(appId)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void subscriptionCount(String appId, String channel, int count) {
        for (ServerEvents l : listeners) {
            l.subscriptionCount(appId, channel, count);
        }
    }

    @Override
    public void connectionRefused(String appId, String reason) {
        for (ServerEvents l : listeners) {
            l.connectionRefused(appId, reason);
        }
    }

    @Override
    public void subscribed(String appId, String channel) {
        for (ServerEvents l : listeners) {
            l.subscribed(appId, channel);
        }
    }

    @Override
    public void unsubscribed(String appId, String channel) {
        for (ServerEvents l : listeners) {
            l.unsubscribed(appId, channel);
        }
    }

    @Override
    public void channelActiveHere(String appId, String channel) {
        for (ServerEvents l : listeners) {
            l.channelActiveHere(appId, channel);
        }
    }

    @Override
    public void channelInactiveHere(String appId, String channel) {
        for (ServerEvents l : listeners) {
            l.channelInactiveHere(appId, channel);
        }
    }

    @Override
    public void broadcast(String appId, String channel, int recipients, long nanos) {
        for (ServerEvents l : listeners) {
            l.broadcast(appId, channel, recipients, nanos);
        }
    }

    @Override
    public void apiCall(String appId, long requestBytes, long responseBytes) {
        for (ServerEvents l : listeners) {
            l.apiCall(appId, requestBytes, responseBytes);
        }
    }

    @Override
    public void rateLimitChecked(String appId, String limiter, boolean refused) {
        for (ServerEvents l : listeners) {
            l.rateLimitChecked(appId, limiter, refused);
        }
    }

    @Override
    public void clusterRequestSent(String appId) {
        for (ServerEvents l : listeners) {
            l.clusterRequestSent(appId);
        }
    }

    @Override
    public void clusterRequestReceived(String appId) {
        for (ServerEvents l : listeners) {
            l.clusterRequestReceived(appId);
        }
    }

    @Override
    public void clusterResponseReceived(String appId) {
        for (ServerEvents l : listeners) {
            l.clusterResponseReceived(appId);
        }
    }

    @Override
    public void clusterRequestResolved(String appId, boolean complete, long nanos) {
        for (ServerEvents l : listeners) {
            l.clusterRequestResolved(appId, complete, nanos);
        }
    }

    @Override
    public void presenceResynced() {
        for (ServerEvents l : listeners) {
            l.presenceResynced();
        }
    }
}
