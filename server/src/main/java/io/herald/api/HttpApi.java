package io.herald.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.app.App;
import io.herald.app.AppManager;
import io.herald.channel.ChannelRegistry;
import io.herald.channel.ConnectionQuota;
import io.herald.channel.PusherChannel;
import io.herald.cluster.Adapter;
import io.herald.protocol.ChannelType;
import io.herald.protocol.Frames;
import io.herald.protocol.Jsons;
import io.herald.protocol.Names;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * The HTTP API (protocol spec section 5) and the health endpoints. Every {@code /apps/{id}/...}
 * request is checked in this order: app exists (404), app enabled (403), signature (401), then
 * the endpoint's own validation (400 / 413).
 */
public final class HttpApi {
    private final AppManager apps;
    private final ChannelRegistry registry;
    private final Adapter adapter;
    private final ConnectionQuota quota;
    private final BooleanSupplier draining;

    public HttpApi(AppManager apps, ChannelRegistry registry, Adapter adapter, ConnectionQuota quota, BooleanSupplier draining) {
        this.apps = apps;
        this.registry = registry;
        this.adapter = adapter;
        this.quota = quota;
        this.draining = draining;
    }

    public CompletableFuture<ApiResponse> handle(ApiRequest request) {
        String[] parts = request.path().split("/", -1); // "" first, since paths start with '/'
        if (parts.length >= 3 && parts[1].equals("apps") && !parts[2].isEmpty()) {
            return apps.findById(parts[2]).thenApply(app -> appEndpoint(app, parts, request));
        }
        if (parts.length == 3 && parts[1].equals("up") && !parts[2].isEmpty()) {
            return apps.findById(parts[2]).thenApply(app -> app.isEmpty()
                    ? ApiResponse.error(404, "App " + parts[2] + " does not exist")
                    : up());
        }
        return CompletableFuture.completedFuture(switch (request.path()) {
            case "/", "/up" -> up();
            case "/usage" -> usage();
            default -> ApiResponse.error(404, "Not found: " + request.path());
        });
    }

    private ApiResponse up() {
        return draining.getAsBoolean() ? ApiResponse.text(503, "Shutting down") : ApiResponse.text(200, "OK");
    }

    private ApiResponse usage() {
        Runtime runtime = Runtime.getRuntime();
        long total = runtime.maxMemory();
        long used = runtime.totalMemory() - runtime.freeMemory();
        ObjectNode body = Jsons.MAPPER.createObjectNode();
        body.putObject("memory")
                .put("free", total - used)
                .put("used", used)
                .put("total", total)
                .put("percent", Math.round(used * 10000.0 / total) / 100.0);
        body.put("connections", quota.total());
        return ApiResponse.json(200, body.toString());
    }

    private ApiResponse appEndpoint(Optional<App> found, String[] parts, ApiRequest request) {
        if (found.isEmpty()) {
            return ApiResponse.error(404, "App " + parts[2] + " does not exist");
        }
        App app = found.get();
        if (!app.enabled()) {
            return ApiResponse.error(403, "App " + app.id() + " is disabled");
        }
        String authProblem = RequestSignature.problem(app, request, System.currentTimeMillis() / 1000);
        if (authProblem != null) {
            return ApiResponse.error(401, authProblem);
        }
        String endpoint = parts.length == 4 ? parts[3] : "";
        if (endpoint.equals("events") || endpoint.equals("batch_events")) {
            if (!request.method().equals("POST")) {
                return ApiResponse.error(405, request.path() + " accepts POST only");
            }
            return endpoint.equals("events") ? events(app, request) : batchEvents(app, request);
        }
        return ApiResponse.error(404, "Unknown API endpoint " + request.method() + " " + request.path());
    }

    // --- publishing ---

    /** One validated event, ready to publish to its channels. */
    private record Event(String name, String data, List<String> channels, String socketId, String info) {}

    /** Thrown while validating a request body; becomes a JSON error answer. */
    private static final class Invalid extends Exception {
        final int status;

        Invalid(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private ApiResponse events(App app, ApiRequest request) {
        try {
            Event event = parseEvent(app, parseBody(request), true, "");
            publish(app, event, request);
            return ApiResponse.json(200, event.info() == null ? "{}" : channelsInfo(app, event).toString());
        } catch (Invalid invalid) {
            return ApiResponse.error(invalid.status, invalid.getMessage());
        }
    }

    private ApiResponse batchEvents(App app, ApiRequest request) {
        try {
            JsonNode batch = parseBody(request).get("batch");
            if (batch == null || !batch.isArray()) {
                throw new Invalid(400, "Body must be {\"batch\":[...events]}");
            }
            if (batch.size() > app.maxEventBatchSize()) {
                throw new Invalid(400, "Batch has " + batch.size() + " events; the limit is " + app.maxEventBatchSize());
            }
            List<Event> events = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                events.add(parseEvent(app, batch.get(i), false, "batch[" + i + "]."));
            }
            events.forEach(event -> publish(app, event, request));
            if (events.stream().allMatch(event -> event.info() == null)) {
                return ApiResponse.json(200, "{}");
            }
            ObjectNode body = Jsons.MAPPER.createObjectNode();
            var results = body.putArray("batch");
            for (Event event : events) {
                results.add(event.info() == null ? Jsons.MAPPER.createObjectNode()
                        : channelAttributes(app, event.channels().get(0), event.info()));
            }
            return ApiResponse.json(200, body.toString());
        } catch (Invalid invalid) {
            return ApiResponse.error(invalid.status, invalid.getMessage());
        }
    }

    private static JsonNode parseBody(ApiRequest request) throws Invalid {
        JsonNode body;
        try {
            body = Jsons.MAPPER.readTree(request.body());
        } catch (IOException e) {
            throw new Invalid(400, "Request body is not valid JSON");
        }
        if (body == null || !body.isObject()) {
            throw new Invalid(400, "Request body must be a JSON object");
        }
        return body;
    }

    private static Event parseEvent(App app, JsonNode node, boolean allowChannelList, String at) throws Invalid {
        if (node == null || !node.isObject()) {
            throw new Invalid(400, at + "event must be a JSON object");
        }
        String name = textField(node, "name", at);
        String nameProblem = Names.eventNameProblem(name, app.maxEventNameLength());
        if (nameProblem != null) {
            throw new Invalid(400, at + nameProblem);
        }
        JsonNode dataNode = node.get("data");
        if (dataNode == null || dataNode.isNull()) {
            throw new Invalid(400, at + "data is missing");
        }
        // Libraries send data as a string; anything else is forwarded as its JSON text.
        String data = dataNode.isTextual() ? dataNode.asText() : dataNode.toString();
        int dataBytes = data.getBytes(StandardCharsets.UTF_8).length;
        if (dataBytes > app.maxEventPayloadBytes()) {
            throw new Invalid(413, at + "data is " + dataBytes + " bytes; the limit is " + app.maxEventPayloadInKb() + " KB");
        }
        List<String> channels = channels(app, node, allowChannelList, at);
        String socketId = node.hasNonNull("socket_id") ? textField(node, "socket_id", at) : null;
        if (socketId != null && !Names.isValidSocketId(socketId)) {
            throw new Invalid(400, at + "socket_id '" + socketId + "' is not of the form 123.456");
        }
        String info = node.hasNonNull("info") ? textField(node, "info", at) : null;
        return new Event(name, data, channels, socketId, info);
    }

    private static List<String> channels(App app, JsonNode node, boolean allowChannelList, String at) throws Invalid {
        List<String> channels = new ArrayList<>();
        JsonNode list = allowChannelList ? node.get("channels") : null;
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw new Invalid(400, at + "channels must be an array of channel names");
            }
            list.forEach(channel -> channels.add(channel.isTextual() ? channel.asText() : null));
        } else if (node.hasNonNull("channel")) {
            channels.add(textField(node, "channel", at));
        }
        if (channels.isEmpty()) {
            throw new Invalid(400, at + (allowChannelList ? "channels (or channel) is missing" : "channel is missing"));
        }
        if (channels.size() > app.maxEventChannelsAtOnce()) {
            throw new Invalid(400, at + "Event has " + channels.size() + " channels; the limit is " + app.maxEventChannelsAtOnce());
        }
        for (String channel : channels) {
            String problem = Names.channelNameProblem(channel, app.maxChannelNameLength());
            if (problem != null) {
                throw new Invalid(400, at + problem + (channel == null ? "" : ": " + channel));
            }
        }
        return channels;
    }

    private static String textField(JsonNode node, String field, String at) throws Invalid {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new Invalid(400, at + field + " is missing");
        }
        if (!value.isTextual()) {
            throw new Invalid(400, at + field + " must be a string");
        }
        return value.asText();
    }

    private void publish(App app, Event event, ApiRequest request) {
        for (String channel : event.channels()) {
            adapter.publish(app.id(), channel, Frames.event(request.alloc(), event.name(), channel, event.data()), event.socketId());
        }
    }

    // --- channel attributes for `info` ---

    private ObjectNode channelsInfo(App app, Event event) {
        ObjectNode body = Jsons.MAPPER.createObjectNode();
        ObjectNode channels = body.putObject("channels");
        for (String channel : event.channels()) {
            channels.set(channel, channelAttributes(app, channel, event.info()));
        }
        return body;
    }

    private ObjectNode channelAttributes(App app, String channelName, String info) {
        ObjectNode attributes = Jsons.MAPPER.createObjectNode();
        PusherChannel channel = registry.channel(app.id(), channelName);
        for (String attribute : info.split(",")) {
            switch (attribute.trim()) {
                case "subscription_count" -> attributes.put("subscription_count", channel == null ? 0 : channel.subscriptionCount());
                case "user_count" -> {
                    if (ChannelType.of(channelName).isPresence()) {
                        attributes.put("user_count", channel == null ? 0 : channel.userCount());
                    }
                }
                default -> { } // unknown attributes are ignored, as hosted Pusher does
            }
        }
        return attributes;
    }
}
