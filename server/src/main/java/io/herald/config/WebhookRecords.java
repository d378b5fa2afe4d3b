package io.herald.config;

import io.herald.wire.Secrets;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.app.Webhook;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * An app's {@code webhooks}: a list of {@code {url, event_types, filter, headers}} records, as
 * Sockudo and soketi write them. The filter takes soketi's {@code channel_name_starts_with} /
 * {@code channel_name_ends_with} and Sockudo's {@code channel_prefix} / {@code channel_suffix} /
 * {@code channel_pattern}. A webhook that would not do what it says (an unknown event type, a URL
 * that is not http or https, a filter Herald does not have, a bad regular expression) stops
 * start-up, naming the key: a typo must neither silence a webhook nor widen it.
 */
final class WebhookRecords {

    /** The event names a webhook can ask for. */
    static final List<String> EVENT_TYPES = List.of("channel_occupied", "channel_vacated", "member_added",
            "member_removed", "client_event", "cache_miss", "subscription_count");

    private static final Set<String> LAMBDA_KEYS = Set.of("lambda_function", "lambda");
    /** Sockudo's per-webhook overrides; Herald has one policy for every webhook. */
    private static final Set<String> SERVER_WIDE_KEYS = Set.of("retry", "request_timeout_ms");
    /** Sockudo's namespace filters: no such thing in Herald, and ignoring one would widen the webhook. */
    private static final Set<String> UNSUPPORTED_FILTERS = Set.of("channel_namespace", "channel_namespaces");

    private WebhookRecords() {}

    /** {@code keyPath} names the list as the operator wrote it ({@code app_manager.array.apps[0].webhooks}). */
    static List<Webhook> parseList(JsonNode list, String keyPath, StartupNotes notes) {
        if (JsonValues.isAbsent(list)) {
            return List.of();
        }
        if (!list.isArray()) {
            throw ConfigException.expected(keyPath, "a list of webhooks", JsonValues.describe(list));
        }
        List<Webhook> webhooks = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            webhooks.add(parse(list.get(i), keyPath + "[" + i + "]", notes));
        }
        return webhooks;
    }

    private static Webhook parse(JsonNode node, String keyPath, StartupNotes notes) {
        if (node == null || !node.isObject()) {
            throw ConfigException.expected(keyPath, "a webhook (a JSON object with a url)", JsonValues.describe(node));
        }
        JsonNode urlNode = node.get("url");
        if (JsonValues.isAbsent(urlNode) && LAMBDA_KEYS.stream().anyMatch(node::has)) {
            throw new ConfigException(keyPath + ": AWS Lambda webhooks are not supported by Herald; give an HTTP(S) url");
        }
        String url = JsonValues.nonEmptyString(urlNode == null ? JsonValues.absent() : urlNode, keyPath + ".url");
        checkUrl(url, keyPath + ".url");
        if (JsonValues.isAbsent(node.get("event_types"))) {
            throw new ConfigException(keyPath + ".event_types: required, the list of events this webhook wants ("
                    + String.join(", ", EVENT_TYPES) + ")");
        }
        List<String> eventTypes = JsonValues.stringList(node.get("event_types"), keyPath + ".event_types");
        if (eventTypes.isEmpty()) {
            notes.warn(keyPath + ".event_types is empty: the webhook to " + Secrets.mask(url) + " gets no events");
        }
        for (int i = 0; i < eventTypes.size(); i++) {
            if (!EVENT_TYPES.contains(eventTypes.get(i))) {
                throw ConfigException.expected(keyPath + ".event_types[" + i + "]", "one of " + String.join(", ", EVENT_TYPES),
                        JsonValues.quote(eventTypes.get(i)));
            }
        }
        JsonNode filter = node.get("filter");
        String startsWith = null;
        String endsWith = null;
        Pattern pattern = null;
        if (!JsonValues.isAbsent(filter)) {
            String at = keyPath + ".filter";
            if (!filter.isObject()) {
                throw ConfigException.expected(at, "an object", JsonValues.describe(filter));
            }
            startsWith = oneOf(filter, at, "channel_name_starts_with", "channel_prefix");
            endsWith = oneOf(filter, at, "channel_name_ends_with", "channel_suffix");
            String regex = optionalText(filter, "channel_pattern", at);
            if (regex != null) {
                try {
                    pattern = Pattern.compile(regex);
                } catch (PatternSyntaxException e) {
                    throw ConfigException.expected(at + ".channel_pattern", "a regular expression",
                            JsonValues.quote(regex) + " (" + e.getDescription() + ")");
                }
            }
            for (String name : iterableToList(filter.fieldNames())) {
                if (UNSUPPORTED_FILTERS.contains(name)) {
                    throw new ConfigException(at + "." + name + ": namespace filters are not supported by Herald"
                            + " (use channel_prefix, channel_suffix or channel_pattern)");
                }
            }
        }
        Map<String, String> headers = headers(node.get("headers"), keyPath + ".headers");
        node.properties().forEach(field -> {
            String name = field.getKey();
            if (JsonValues.isAbsent(field.getValue())) {
                return;
            }
            if (LAMBDA_KEYS.contains(name)) {
                notes.warn(keysIn(keyPath + "." + name, field.getValue())
                        + " ignored: AWS Lambda webhooks are not supported by Herald (the url is used)");
            } else if (SERVER_WIDE_KEYS.contains(name)) {
                notes.warn(keysIn(keyPath + "." + name, field.getValue()) + " ignored: Herald sends every webhook with the"
                        + " same timeout and retries (webhooks.request_timeout_ms, webhooks.retry.max_elapsed_time_ms)");
            }
        });
        return new Webhook(url, eventTypes, startsWith, endsWith, pattern, headers);
    }

    /** The keys set in an ignored value, by their full paths ('a.retry.enabled', 'a.retry.max_attempts'). */
    private static String keysIn(String path, JsonNode value) {
        if (!value.isObject() || value.isEmpty()) {
            return "'" + path + "'";
        }
        List<String> keys = new ArrayList<>();
        value.fieldNames().forEachRemaining(name -> keys.add("'" + path + "." + name + "'"));
        return String.join(", ", keys);
    }

    /** A filter given under soketi's or Sockudo's name; both at once is an error. */
    private static String oneOf(JsonNode filter, String at, String soketiName, String sockudoName) {
        String soketi = optionalText(filter, soketiName, at);
        String sockudo = optionalText(filter, sockudoName, at);
        if (soketi != null && sockudo != null) {
            throw new ConfigException(at + ": " + soketiName + " and " + sockudoName + " are the same filter; give one");
        }
        return soketi != null ? soketi : sockudo;
    }

    private static List<String> iterableToList(java.util.Iterator<String> names) {
        List<String> list = new ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }

    private static void checkUrl(String url, String key) {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw ConfigException.expected(key, "an http:// or https:// URL", JsonValues.quote(url));
    }

    private static String optionalText(JsonNode node, String field, String keyPath) {
        JsonNode value = node.get(field);
        return JsonValues.isAbsent(value) ? null : JsonValues.nonEmptyString(value, keyPath + "." + field);
    }

    /** Extra request headers: an object of strings. The signature headers cannot be replaced. */
    private static Map<String, String> headers(JsonNode node, String keyPath) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (JsonValues.isAbsent(node)) {
            return headers;
        }
        if (!node.isObject()) {
            throw ConfigException.expected(keyPath, "an object of header names and string values", JsonValues.describe(node));
        }
        for (Map.Entry<String, JsonNode> header : node.properties()) {
            String name = header.getKey();
            String key = keyPath + "." + name;
            if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw ConfigException.expected(key, "a header name (letters, digits and -)", JsonValues.quote(name));
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("x-pusher-key") || lower.equals("x-pusher-signature") || lower.equals("content-type")
                    || lower.equals("content-length") || lower.equals("host")) {
                throw new ConfigException(key + ": the server sets this header itself; it cannot be configured");
            }
            String value = JsonValues.nonEmptyString(header.getValue(), key);
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw ConfigException.expected(key, "a header value on one line", JsonValues.quote(value));
            }
            headers.put(name, value);
        }
        return headers;
    }
}
