package io.herald.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.Herald;
import io.herald.app.App;
import io.herald.config.HeraldConfig;
import io.herald.raw.ApiClient;
import io.herald.raw.ApiSigner;
import io.herald.raw.RawClient;
import io.herald.testing.Poll;
import io.herald.testing.TestServers;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} as Prometheus scrapes it: Sockudo's series names and labels with the
 * configured prefix, values that follow what clients did, no label made of a client's input, and
 * Herald's own series (webhooks, cluster, JVM, process, Netty).
 */
class MetricsTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final App APP = App.builder("metered", "metered-key", "metered-secret").enableClientMessages(true)
            .maxClientEventsPerSecond(1).build();

    private static HeraldConfig withMetrics(HeraldConfig config, String prefix) {
        return config.toBuilder().metrics(new HeraldConfig.MetricsConfig(true, "127.0.0.1", 0, prefix)).build();
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the one sample whose name and labels match ({@code labels}: name=value pairs, any order). */
    static double sample(String scrape, String name, String... labels) {
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
        Matcher matcher = line.matcher(scrape);
        double found = Double.NaN;
        while (matcher.find()) {
            String present = matcher.group(1);
            boolean all = true;
            for (int i = 0; i < labels.length; i += 2) {
                all &= present.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
            }
            if (all) {
                if (!Double.isNaN(found)) {
                    throw new AssertionError("more than one sample of " + name + " with " + List.of(labels));
                }
                found = Double.parseDouble(matcher.group(2));
            }
        }
        return found;
    }

    @Test
    void sockudosSeriesFollowWhatClientsDid() throws Exception {
        try (Herald herald = TestServers.start(withMetrics(TestServers.config(APP), "sockudo_"))) {
            String port = Integer.toString(herald.port());
            String user = "user-" + UUID.randomUUID();
            String body = "{\"name\":\"e\",\"channels\":[\"news-secret-channel-name\"],\"data\":\"{}\"}";
            try (RawClient first = RawClient.connectEstablished(herald.port(), APP.key());
                 RawClient second = RawClient.connectEstablished(herald.port(), APP.key())) {
                first.subscribeOk("news-secret-channel-name");
                second.subscribeOk("news-secret-channel-name");
                String presence = "presence-room";
                String data = "{\"user_id\":\"" + user + "\"}";
                first.subscribe(presence, ApiSigner.presenceAuth(APP.key(), APP.secret(), first.socketId(), presence, data), data);
                first.expectSubscribed(presence);
                ApiClient api = new ApiClient(herald.port(), APP.key(), APP.secret());
                assertThat(api.post("/apps/metered/events", body).statusCode()).isEqualTo(200);
                first.skipUntil("e");
                second.skipUntil("e");
                String privateChannel = "private-chat";
                first.subscribe(privateChannel, ApiSigner.channelAuth(APP.key(), APP.secret(), first.socketId(), privateChannel), null);
                first.expectSubscribed(privateChannel);
                first.event("client-a", privateChannel, "{}");
                first.event("client-b", privateChannel, "{}"); // over max_client_events_per_second (1)
                first.expectError(4301);
                second.send("{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"news-secret-channel-name\"}}");
            }
            try (RawClient refused = RawClient.connect(herald.port(), "no-such-key")) {
                refused.awaitEnd();
            }

            String scrape = scrapeWhen(herald, text -> sample(text, "sockudo_connected", "app_id", "metered") == 0);
            String[] app = {"app_id", "metered", "port", port};
            assertThat(sample(scrape, "sockudo_new_connections_total", app)).isEqualTo(2);
            assertThat(sample(scrape, "sockudo_new_disconnections_total", app)).isEqualTo(2);
            assertThat(sample(scrape, "sockudo_connection_errors_total", "app_id", "unknown", "error_type", "app_not_found"))
                    .isEqualTo(1);
            assertThat(sample(scrape, "sockudo_channel_subscriptions_total", "app_id", "metered", "channel_type", "public"))
                    .isEqualTo(2);
            assertThat(sample(scrape, "sockudo_channel_subscriptions_total", "app_id", "metered", "channel_type", "presence"))
                    .isEqualTo(1);
            assertThat(sample(scrape, "sockudo_channel_unsubscriptions_total", "app_id", "metered", "channel_type", "public"))
                    .isEqualTo(2);
            assertThat(sample(scrape, "sockudo_active_channels", "app_id", "metered", "channel_type", "public")).isZero();
            assertThat(sample(scrape, "sockudo_http_calls_received_total", app)).isEqualTo(1);
            assertThat(sample(scrape, "sockudo_http_received_bytes", app)).isEqualTo(body.length());
            assertThat(sample(scrape, "sockudo_http_transmitted_bytes", app)).isEqualTo(2); // {}
            assertThat(sample(scrape, "sockudo_ws_messages_received_total", app)).as("subscribes, 2 client events, unsubscribe")
                    .isEqualTo(7);
            assertThat(sample(scrape, "sockudo_ws_messages_sent_total", app)).isGreaterThanOrEqualTo(9);
            assertThat(sample(scrape, "sockudo_socket_transmitted_bytes", app)).isGreaterThan(0);
            assertThat(sample(scrape, "sockudo_socket_received_bytes", app)).isGreaterThan(0);
            assertThat(sample(scrape, "sockudo_broadcast_latency_ms_count", "app_id", "metered", "channel_type", "public",
                    "recipient_count_bucket", "xs")).isEqualTo(1);
            assertThat(sample(scrape, "sockudo_rate_limit_checks_total", "app_id", "metered", "limiter_type", "client_events"))
                    .isEqualTo(2);
            assertThat(sample(scrape, "sockudo_rate_limit_triggered_total", "app_id", "metered", "limiter_type", "client_events"))
                    .isEqualTo(1);
            assertThat(scrape).as("Sockudo's byte counters keep their names").doesNotContain("sockudo_socket_received_bytes_total");
            assertThat(scrape).as("no label made of a channel name or user id")
                    .doesNotContain("news-secret-channel-name").doesNotContain(user).doesNotContain("no-such-key");
            assertThat(sample(scrape, "target_info", "process_id", "test-node")).isEqualTo(1);
            assertThat(scrape).contains("jvm_memory_used_bytes").contains("jvm_gc_memory_allocated_bytes_total").contains("process_cpu_usage")
                    .contains("process_files_open_files").contains("process_files_max_files")
                    .contains("netty_allocator_memory_used").contains("sockudo_webhook_queue_depth")
                    .contains("sockudo_cluster_nodes{port=\"" + port + "\"} 1.0");
        }
    }

    @Test
    void thePrefixIsConfigurableAndOffOpensNoPort() throws Exception {
        try (Herald herald = TestServers.start(withMetrics(TestServers.config(APP), "herald_"))) {
            try (RawClient client = RawClient.connectEstablished(herald.port(), APP.key())) {
                String scrape = scrapeWhen(herald, text -> sample(text, "herald_connected", "app_id", "metered") == 1);
                assertThat(scrape).doesNotContain("sockudo_");
            }
            assertThat(get(herald.metricsPort(), "/nothing").statusCode()).isEqualTo(404);
        }
        try (Herald herald = TestServers.start(TestServers.config(APP))) {
            assertThat(herald.metricsPort()).as("metrics.enabled false").isEqualTo(-1);
        }
    }

    @Test
    void aMetricsPortInUseStopsStartUpNamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            HeraldConfig config = TestServers.config(APP).toBuilder()
                    .metrics(new HeraldConfig.MetricsConfig(true, "127.0.0.1", taken.getLocalPort(), "sockudo_")).build();
            assertThatThrownBy(() -> Herald.start(config))
                    .hasMessage("cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (metrics.port): address already in use");
        }
    }

    @Test
    void clusterQueriesAreCountedAndTimed() throws Exception {
        String prefix = "herald_metrics_" + UUID.randomUUID().toString().substring(0, 8) + ":";
        HeraldConfig.AdapterConfig adapter = new HeraldConfig.AdapterConfig.Redis(TestServers.redisUrl(), TestServers.redisUrl(),
                prefix, 5000);
        HeraldConfig config = withMetrics(TestServers.config(APP), "sockudo_").toBuilder().adapter(adapter).build();
        try (Herald a = TestServers.start(config.toBuilder().processId("metrics-a-" + prefix).build());
             Herald b = TestServers.start(config.toBuilder().processId("metrics-b-" + prefix).build())) {
            scrapeWhen(a, text -> sample(text, "sockudo_cluster_nodes") == 2);
            ApiClient api = new ApiClient(a.port(), APP.key(), APP.secret());
            assertThat(api.get("/apps/metered/channels", Map.of()).statusCode()).isEqualTo(200);
            String onA = scrapeWhen(a, text -> sample(text, "sockudo_horizontal_adapter_resolved_promises", "app_id", "metered") == 1);
            assertThat(sample(onA, "sockudo_horizontal_adapter_sent_requests", "app_id", "metered")).isEqualTo(1);
            assertThat(sample(onA, "sockudo_horizontal_adapter_received_responses", "app_id", "metered")).isEqualTo(1);
            assertThat(sample(onA, "sockudo_horizontal_adapter_resolve_time_count", "app_id", "metered")).isEqualTo(1);
            String onB = scrapeWhen(b, text -> sample(text, "sockudo_horizontal_adapter_received_requests", "app_id", "metered") == 1);
            assertThat(sample(onB, "sockudo_cluster_heartbeat_age_seconds")).isLessThan(5);

            // The shipped Grafana dashboard asks only for series a node exports.
            try (RawClient client = RawClient.connectEstablished(a.port(), APP.key());
                 RawClient refused = RawClient.connect(a.port(), "no-such-key")) {
                refused.awaitEnd();
                String channel = "private-dash";
                client.subscribe(channel, ApiSigner.channelAuth(APP.key(), APP.secret(), client.socketId(), channel), null);
                client.expectSubscribed(channel);
                client.event("client-a", channel, "{}");
                client.event("client-b", channel, "{}");
                client.expectError(4301);
                assertThat(api.post("/apps/metered/events", "{\"name\":\"e\",\"channel\":\"private-dash\",\"data\":\"{}\"}")
                        .statusCode()).isEqualTo(200);
                client.skipUntil("e");
                String scrape = scrapeWhen(a, text -> sample(text, "sockudo_broadcast_latency_ms_count", "app_id", "metered",
                        "channel_type", "private") == 1);
                for (String series : dashboardSeries()) {
                    assertThat(scrape).as("the dashboard's " + series).containsPattern("(?m)^" + Pattern.quote(series) + "[{ ]");
                }
            }
        }
    }

    /** Every series name the dashboard's queries use. */
    private static java.util.Set<String> dashboardSeries() throws Exception {
        com.fasterxml.jackson.databind.JsonNode dashboard = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(java.nio.file.Path.of("../deploy/grafana/herald-dashboard.json").toFile());
        java.util.Set<String> series = new java.util.TreeSet<>();
        Pattern name = Pattern.compile("\\b(sockudo_\\w+|jvm_\\w+|process_\\w+|netty_\\w+)");
        for (com.fasterxml.jackson.databind.JsonNode panel : dashboard.path("panels")) {
            for (com.fasterxml.jackson.databind.JsonNode target : panel.path("targets")) {
                Matcher found = name.matcher(target.path("expr").asText());
                while (found.find()) {
                    series.add(found.group(1));
                }
            }
        }
        assertThat(series).hasSizeGreaterThan(15);
        return series;
    }

    /** Scrapes until {@code condition} holds (a scrape announces nothing), and returns that scrape. */
    private static String scrapeWhen(Herald herald, java.util.function.Predicate<String> condition) throws Exception {
        String[] last = {""};
        Poll.until("the scrape shows it", Duration.ofSeconds(10), Duration.ofMillis(50), () -> {
            HttpResponse<String> response = get(herald.metricsPort(), "/metrics");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            last[0] = response.body();
            return condition.test(last[0]);
        }, () -> last[0].lines().filter(l -> l.contains("broadcast_latency_ms_count") || l.contains("resolved_promises")).toList().toString());
        return last[0];
    }
}
