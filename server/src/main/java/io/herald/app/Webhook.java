package io.herald.app;

import io.herald.wire.Secrets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One webhook of an app: where to POST, which event kinds it wants ({@code event_types}; an empty
 * list wants none, as in Sockudo), which channels (name prefix, suffix and a regular expression
 * found anywhere in the name, each optional, all of them required), and extra request headers.
 */
public record Webhook(String url, List<String> eventTypes, String channelNameStartsWith, String channelNameEndsWith,
                      Pattern channelPattern, Map<String, String> headers) {

    public Webhook {
        eventTypes = List.copyOf(eventTypes);
        headers = Map.copyOf(headers);
    }

    /** A webhook for the given event kinds of every channel, without extra headers. */
    public static Webhook to(String url, String... eventTypes) {
        return new Webhook(url, List.of(eventTypes), null, null, null, Map.of());
    }

    /** Without credentials: the URL's user-info is dropped and header values (an Authorization) hidden. */
    @Override
    public String toString() {
        return "Webhook[" + Secrets.mask(url) + ", eventTypes=" + eventTypes + ", headers=" + headers.keySet() + "]";
    }

    /** Whether an event named {@code eventName} (channel_occupied, ...) on {@code channel} goes to this webhook. */
    public boolean wants(String eventName, String channel) {
        return eventTypes.contains(eventName)
                && (channelNameStartsWith == null || channel.startsWith(channelNameStartsWith))
                && (channelNameEndsWith == null || channel.endsWith(channelNameEndsWith))
                && (channelPattern == null || channelPattern.matcher(channel).find());
    }

    /** Whether it wants any of {@code eventNames}, on some channel. */
    public boolean wantsAnyOf(List<String> eventNames) {
        for (String name : eventNames) {
            if (eventTypes.contains(name)) {
                return true;
            }
        }
        return false;
    }

    // Patterns compare by identity; two webhooks with the same expression are the same webhook.
    @Override
    public boolean equals(Object other) {
        return other instanceof Webhook that && url.equals(that.url) && eventTypes.equals(that.eventTypes)
                && Objects.equals(channelNameStartsWith, that.channelNameStartsWith)
                && Objects.equals(channelNameEndsWith, that.channelNameEndsWith)
                && Objects.equals(patternText(), that.patternText()) && headers.equals(that.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(url, eventTypes, channelNameStartsWith, channelNameEndsWith, patternText(), headers);
    }

    private String patternText() {
        return channelPattern == null ? null : channelPattern.pattern();
    }
}
