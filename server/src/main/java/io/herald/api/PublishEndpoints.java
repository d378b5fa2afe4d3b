package io.herald.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.app.App;
import io.herald.cache.ChannelCache;
import io.herald.cluster.Adapter;
import io.herald.wire.ChannelType;
import io.herald.wire.Frames;
import io.herald.wire.Jsons;
import io.herald.wire.Names;
import io.herald.ratelimit.AppRateLimits;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** {@code POST /apps/{id}/events} and {@code POST /apps/{id}/batch_events}. */
final class PublishEndpoints {
    private final Adapter adapter;
    private final ChannelCache cache;
    private final AppRateLimits limits;

    PublishEndpoints(Adapter adapter, ChannelCache cache, AppRateLimits limits) {
        this.adapter = adapter;
        this.cache = cache;
        this.limits = limits;
    }

    private static final ApiResponse EMPTY_OK = ApiResponse.json(200, "{}");

    /** One validated event, ready to publish to its channels. */
    private record Event(String name, String data, List<String> channels, String socketId, Set<String> info) {}

    CompletableFuture<ApiResponse> events(App app, ApiRequest request) {
        Event event;
        try {
            event = parseEvent(app, parseBody(request), true, "");
        } catch (InvalidRequest invalid) {
            return CompletableFuture.completedFuture(invalid.response());
        }
        int published = event.channels().size();
        return limits.tryBackendEvents(app, published).thenCompose(allowed -> allowed
                ? publishEvent(app, event, request) : CompletableFuture.completedFuture(overLimit(app, published)));
    }

    private CompletableFuture<ApiResponse> publishEvent(App app, Event event, ApiRequest request) {
        CompletableFuture<Void> taken = publish(app, event, request);
        if (event.info().isEmpty()) {
            return taken.thenApply(done -> EMPTY_OK);
        }
        ObjectNode body = Jsons.MAPPER.createObjectNode();
        ObjectNode channels = body.putObject("channels");
        return CompletableFuture.allOf(event.channels().stream()
                        .map(channel -> attributes(app, channel, event.info()).thenAccept(node -> {
                            synchronized (channels) {
                                channels.set(channel, node);
                            }
                        }))
                        .toArray(CompletableFuture[]::new))
                .thenCombine(taken, (done, alsoDone) -> ApiResponse.json(200, body.toString()));
    }

    CompletableFuture<ApiResponse> batchEvents(App app, ApiRequest request) {
        List<Event> events = new ArrayList<>();
        try {
            JsonNode batch = parseBody(request).get("batch");
            if (batch == null || !batch.isArray()) {
                throw new InvalidRequest(400, "Body must be {\"batch\":[...events]}");
            }
            if (batch.size() > app.maxEventBatchSize()) {
                throw new InvalidRequest(400, "Batch has " + batch.size() + " events; the limit is " + app.maxEventBatchSize());
            }
            for (int i = 0; i < batch.size(); i++) {
                events.add(parseEvent(app, batch.get(i), false, "batch[" + i + "]: "));
            }
        } catch (InvalidRequest invalid) {
            return CompletableFuture.completedFuture(invalid.response());
        }
        int published = events.stream().mapToInt(event -> event.channels().size()).sum();
        return limits.tryBackendEvents(app, published).thenCompose(allowed -> allowed
                ? publishBatch(app, events, request) : CompletableFuture.completedFuture(overLimit(app, published)));
    }

    private CompletableFuture<ApiResponse> publishBatch(App app, List<Event> events, ApiRequest request) {
        CompletableFuture<Void> taken = CompletableFuture.allOf(events.stream()
                .map(event -> publish(app, event, request)).toArray(CompletableFuture[]::new));
        if (events.stream().allMatch(event -> event.info().isEmpty())) {
            return taken.thenApply(done -> EMPTY_OK);
        }
        List<CompletableFuture<ObjectNode>> results = events.stream()
                .map(event -> event.info().isEmpty()
                        ? CompletableFuture.completedFuture(Jsons.MAPPER.createObjectNode())
                        : attributes(app, event.channels().get(0), event.info()))
                .toList();
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenCombine(taken, (done, alsoDone) -> {
            ObjectNode body = Jsons.MAPPER.createObjectNode();
            ArrayNode batch = body.putArray("batch");
            results.forEach(result -> batch.add(result.join()));
            return ApiResponse.json(200, body.toString());
        });
    }

    /** 429: nothing of the request was published. */
    private static ApiResponse overLimit(App app, int events) {
        return ApiResponse.error(429, "Too many requests: app " + app.id() + " allows " + app.maxBackendEventsPerSecond()
                + " published events per second (each channel of an event counts); this request has " + events
                + " and nothing was published");
    }

    private CompletableFuture<ObjectNode> attributes(App app, String channel, Set<String> info) {
        return adapter.channel(app.id(), channel).thenApply(snapshot -> ChannelAttributes.write(channel, snapshot, info));
    }

    /**
     * Publishes to each channel; completes when the cluster's bus took them all and the cache
     * stored those of cache channels (or could not:
     * this node's subscribers have them either way, and /up tells the bus is away). Answering
     * only then means a 200 is never followed by a loss when this node dies a moment later.
     */
    private CompletableFuture<Void> publish(App app, Event event, ApiRequest request) {
        CompletableFuture<?>[] taken = new CompletableFuture<?>[event.channels().size()];
        for (int i = 0; i < taken.length; i++) {
            String channel = event.channels().get(i);
            ByteBuf frame = Frames.event(request.alloc(), event.name(), channel, event.data());
            CompletableFuture<Void> cached = ChannelType.isCache(channel)
                    ? cache.put(app.id(), channel, Frames.message(frame)) : null;
            taken[i] = adapter.publish(app.id(), channel, frame, event.socketId()).toCompletableFuture();
            if (cached != null) {
                taken[i] = CompletableFuture.allOf(taken[i], cached);
            }
        }
        return taken.length == 1 ? taken[0].thenApply(result -> null) : CompletableFuture.allOf(taken);
    }

    // --- validation ---

    private static JsonNode parseBody(ApiRequest request) throws InvalidRequest {
        JsonNode body;
        try {
            body = Jsons.MAPPER.readTree(request.body());
        } catch (IOException e) {
            throw new InvalidRequest(400, "Request body is not valid JSON");
        }
        if (body == null || !body.isObject()) {
            throw new InvalidRequest(400, "Request body must be a JSON object");
        }
        return body;
    }

    private static Event parseEvent(App app, JsonNode node, boolean allowChannelList, String at) throws InvalidRequest {
        if (node == null || !node.isObject()) {
            throw new InvalidRequest(400, at + "The event must be a JSON object");
        }
        String name = textField(node, "name", at);
        String nameProblem = Names.eventNameProblem(name, app.maxEventNameLength());
        if (nameProblem != null) {
            throw new InvalidRequest(400, at + nameProblem);
        }
        JsonNode dataNode = node.get("data");
        if (dataNode == null || dataNode.isNull()) {
            throw new InvalidRequest(400, at + "The event has no data");
        }
        // Libraries send data as a string; anything else is forwarded as its JSON text.
        String data = dataNode.isTextual() ? dataNode.asText() : dataNode.toString();
        int dataBytes = data.getBytes(StandardCharsets.UTF_8).length;
        if (dataBytes > app.maxEventPayloadBytes()) {
            throw new InvalidRequest(413, at + "The event's data is " + dataBytes + " bytes; the limit is " + app.maxEventPayloadInKb()
                    + " KB");
        }
        List<String> channels = channels(app, node, allowChannelList, at);
        String socketId = node.hasNonNull("socket_id") ? textField(node, "socket_id", at) : null;
        if (socketId != null && !Names.isValidSocketId(socketId)) {
            throw new InvalidRequest(400, at + "The socket_id '" + socketId + "' is not of the form 123.456");
        }
        String info = node.hasNonNull("info") ? textField(node, "info", at) : null;
        Set<String> attributes = ChannelAttributes.parse(info);
        if (attributes.contains(ChannelAttributes.USER_COUNT)) {
            // As the channel query answers it: a count of users means nothing on other channels.
            for (String channel : channels) {
                if (!ChannelType.of(channel).isPresence()) {
                    throw new InvalidRequest(400, at + "info=user_count is only available for presence channels (" + channel
                            + " is not one)");
                }
            }
        }
        return new Event(name, data, channels, socketId, attributes);
    }

    private static List<String> channels(App app, JsonNode node, boolean allowChannelList, String at) throws InvalidRequest {
        List<String> channels = new ArrayList<>();
        JsonNode list = allowChannelList ? node.get("channels") : null;
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw new InvalidRequest(400, at + "The channels field must be an array of channel names");
            }
            list.forEach(channel -> channels.add(channel.isTextual() ? channel.asText() : null));
        } else if (node.hasNonNull("channel")) {
            channels.add(textField(node, "channel", at));
        }
        if (channels.isEmpty()) {
            throw new InvalidRequest(400, at + (allowChannelList ? "The event has no channels (or channel)" : "The event has no channel"));
        }
        if (channels.size() > app.maxEventChannelsAtOnce()) {
            throw new InvalidRequest(400, at + "The event has " + channels.size() + " channels; the limit is "
                    + app.maxEventChannelsAtOnce());
        }
        for (String channel : channels) {
            String problem = Names.channelNameProblem(channel, app.maxChannelNameLength());
            if (problem != null) {
                throw new InvalidRequest(400, at + problem + (channel == null ? "" : ": " + channel));
            }
        }
        return channels;
    }

    private static String textField(JsonNode node, String field, String at) throws InvalidRequest {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new InvalidRequest(400, at + "The " + field + " field is missing");
        }
        if (!value.isTextual()) {
            throw new InvalidRequest(400, at + "The " + field + " field must be a string");
        }
        return value.asText();
    }
}
