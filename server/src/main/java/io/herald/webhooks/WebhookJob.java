package io.herald.webhooks;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.wire.Jsons;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One POST to make: the events (each a JSON object, as the receiver gets it) for one webhook URL
 * of one app, with that webhook's extra headers. {@code createdMillis} is the body's
 * {@code time_ms} and starts the retry window; {@code attempts} counts failed tries. The app's
 * key and secret are looked up when the job is sent, never stored with it.
 */
public record WebhookJob(String id, String appId, String url, Map<String, String> headers, List<String> events,
                         long createdMillis, int attempts) {

    public WebhookJob {
        headers = Map.copyOf(headers);
        events = List.copyOf(events);
    }

    /** About how many bytes the job takes in memory (its text, as characters). */
    long sizeBytes() {
        long size = 64 + url.length() + appId.length();
        for (Map.Entry<String, String> header : headers.entrySet()) {
            size += header.getKey().length() + header.getValue().length();
        }
        for (String event : events) {
            size += event.length();
        }
        return size;
    }

    /** The same job after one more failed try. */
    WebhookJob failedOnce() {
        return new WebhookJob(id, appId, url, headers, events, createdMillis, attempts + 1);
    }

    /** The request body: {@code {"time_ms":...,"events":[...]}}, the same bytes on every try. */
    String body() {
        return "{\"time_ms\":" + createdMillis + ",\"events\":[" + String.join(",", events) + "]}";
    }

    /** The job as stored in a queue: compact JSON, events embedded as they are. */
    String encode() {
        StringWriter out = new StringWriter(128 + events.size() * 96);
        try (JsonGenerator json = Jsons.MAPPER.getFactory().createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("id", id);
            json.writeStringField("app", appId);
            json.writeStringField("url", url);
            json.writeObjectFieldStart("headers");
            for (Map.Entry<String, String> header : headers.entrySet()) {
                json.writeStringField(header.getKey(), header.getValue());
            }
            json.writeEndObject();
            json.writeArrayFieldStart("events");
            for (String event : events) {
                json.writeRawValue(event);
            }
            json.writeEndArray();
            json.writeNumberField("created", createdMillis);
            json.writeNumberField("attempts", attempts);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Reads {@link #encode()}'s form; an IllegalArgumentException names what is wrong. */
    static WebhookJob decode(String text) {
        JsonNode node;
        try {
            node = Jsons.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
        if (node == null || !node.path("id").isTextual() || !node.path("app").isTextual() || !node.path("url").isTextual()
                || !node.path("events").isArray() || !node.path("created").canConvertToLong()) {
            throw new IllegalArgumentException("not a webhook job");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        node.path("headers").properties().forEach(header -> headers.put(header.getKey(), header.getValue().asText()));
        List<String> events = new ArrayList<>();
        node.path("events").forEach(event -> events.add(event.toString()));
        return new WebhookJob(node.get("id").asText(), node.get("app").asText(), node.get("url").asText(), headers, events,
                node.get("created").asLong(), node.path("attempts").asInt());
    }
}
