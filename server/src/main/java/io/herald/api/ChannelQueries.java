package io.herald.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.app.App;
import io.herald.cache.ChannelCache;
import io.herald.cluster.Adapter;
import io.herald.wire.ChannelType;
import io.herald.wire.Jsons;
import io.herald.wire.Names;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /apps/{id}/channels}, {@code .../channels/{name}} and {@code .../channels/{name}/users}.
 * Every answer comes through the adapter, so on a cluster it covers every node.
 */
final class ChannelQueries {
    private final Adapter adapter;
    private final ChannelCache cache;

    ChannelQueries(Adapter adapter, ChannelCache cache) {
        this.adapter = adapter;
        this.cache = cache;
    }

    CompletableFuture<ApiResponse> channels(App app, ApiRequest request) {
        String prefix = request.param("filter_by_prefix") == null ? "" : request.param("filter_by_prefix");
        Set<String> attributes = ChannelAttributes.parse(request.param("info"));
        if (attributes.contains(ChannelAttributes.USER_COUNT) && !prefix.startsWith("presence-")) {
            return completed(ApiResponse.error(400,
                    "info=user_count is only allowed with filter_by_prefix=presence-"));
        }
        return adapter.channels(app.id(), prefix).thenApply(channels -> {
            ObjectNode body = Jsons.MAPPER.createObjectNode();
            ObjectNode list = body.putObject("channels");
            new TreeMap<>(channels).forEach((name, snapshot) -> list.set(name, ChannelAttributes.write(name, snapshot, attributes)));
            return ApiResponse.json(200, body.toString());
        });
    }

    CompletableFuture<ApiResponse> channel(App app, String channel, ApiRequest request) {
        String problem = Names.channelNameProblem(channel, app.maxChannelNameLength());
        if (problem != null) {
            return completed(ApiResponse.error(400, problem));
        }
        Set<String> attributes = ChannelAttributes.parse(request.param("info"));
        if (attributes.contains(ChannelAttributes.USER_COUNT) && !ChannelType.of(channel).isPresence()) {
            return completed(ApiResponse.error(400, "info=user_count is only available for presence channels"));
        }
        boolean wantsCache = attributes.contains(ChannelAttributes.CACHE) && ChannelType.isCache(channel);
        CompletableFuture<Optional<ChannelCache.CachedEvent>> cached = wantsCache
                ? cache.get(app.id(), channel) : CompletableFuture.completedFuture(Optional.empty());
        return adapter.channel(app.id(), channel).thenCombine(cached, (snapshot, event) -> {
            // "occupied" comes first, as in hosted Pusher's answers.
            ObjectNode body = Jsons.MAPPER.createObjectNode().put("occupied", snapshot.occupied());
            body.setAll(ChannelAttributes.write(channel, snapshot, attributes));
            event.ifPresent(hit -> body.set("cache", cacheAttribute(hit)));
            return ApiResponse.json(200, body.toString());
        });
    }

    /** {@code {"data": the cached event's data, "ttl": seconds it stays}} */
    private static ObjectNode cacheAttribute(ChannelCache.CachedEvent event) {
        ObjectNode cache = Jsons.MAPPER.createObjectNode();
        try {
            cache.set("data", Jsons.MAPPER.readTree(event.message()).path("data"));
        } catch (IOException e) {
            cache.putNull("data");
        }
        cache.put("ttl", (event.ttlMillisLeft() + 999) / 1000);
        return cache;
    }

    CompletableFuture<ApiResponse> users(App app, String channel) {
        String problem = Names.channelNameProblem(channel, app.maxChannelNameLength());
        if (problem != null) {
            return completed(ApiResponse.error(400, problem));
        }
        if (!ChannelType.of(channel).isPresence()) {
            return completed(ApiResponse.error(400, "Users can only be listed for presence channels"));
        }
        return adapter.channel(app.id(), channel).thenApply(snapshot -> {
            ObjectNode body = Jsons.MAPPER.createObjectNode();
            ArrayNode users = body.putArray("users");
            snapshot.userIds().stream().sorted().forEach(id -> users.addObject().put("id", id));
            return ApiResponse.json(200, body.toString());
        });
    }

    private static CompletableFuture<ApiResponse> completed(ApiResponse response) {
        return CompletableFuture.completedFuture(response);
    }
}
