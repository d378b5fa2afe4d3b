package io.herald.app.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.app.App;
import io.herald.app.Webhook;
import io.herald.config.ConfigException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rows as the JDBC drivers hand them over, to apps: Sockudo's two ways of storing an app, and the mistakes. */
class AppRowsTest {
    private static Map<String, Object> row(Object... columnsAndValues) {
        Map<String, Object> row = new HashMap<>();
        row.put("id", "a");
        row.put("key", "k");
        row.put("secret", "s");
        for (int i = 0; i < columnsAndValues.length; i += 2) {
            row.put((String) columnsAndValues[i], columnsAndValues[i + 1]);
        }
        return row;
    }

    @Test
    void flatColumnsWithMysqlsTinyIntsAndUnsignedLongs() {
        App app = AppRows.parse(row("enabled", 1, "enable_client_messages", (byte) 1, "max_connections", 500L,
                "max_client_events_per_second", 0L, "max_event_payload_in_kb", null, "enable_watchlist_events", false,
                "allowed_origins", "[\"https://a.example\"]",
                "webhooks", "[{\"url\": \"https://h.example.com\", \"event_types\": [\"channel_occupied\"], \"filter\": null}]"),
                "t row 'a'");
        assertThat(app).isEqualTo(App.builder("a", "k", "s").enableClientMessages(true).maxConnections(500)
                .allowedOrigins(List.of("https://a.example"))
                .webhooks(List.of(Webhook.to("https://h.example.com", "channel_occupied"))).build());
    }

    @Test
    void aPolicyWinsOverTheColumnsAndMayWriteNumbersAsText() {
        App app = AppRows.parse(row("max_connections", 7, "enable_client_messages", false, "webhooks", "[]",
                "policy", """
                        {"limits": {"max_connections": "3", "max_event_batch_size": 20},
                         "features": {"enable_client_messages": true, "enable_user_authentication": null},
                         "channels": {"allowed_origins": ["*"], "channel_namespaces": null},
                         "webhooks": [{"url": "https://p.example.com", "lambda_function": null, "lambda": null,
                                       "event_types": ["member_added"], "retry": null, "request_timeout_ms": null}],
                         "history": null, "idempotency": {"enabled": true}}
                        """), "t row 'a'");
        assertThat(app).isEqualTo(App.builder("a", "k", "s").maxConnections(3).maxEventBatchSize(20)
                .enableClientMessages(true).allowedOrigins(List.of("*"))
                .webhooks(List.of(Webhook.to("https://p.example.com", "member_added"))).build());
    }

    @Test
    void aJsonNullPolicyMeansTheColumns() {
        assertThat(AppRows.parse(row("policy", "null", "max_connections", 9), "t row 'a'").maxConnections()).isEqualTo(9);
    }

    @Test
    void mistakesNameTheRowAndTheColumn() {
        assertThatThrownBy(() -> AppRows.parse(row("webhooks", "[{\"url\": "), "t row 'a'"))
                .isInstanceOf(ConfigException.class).hasMessage("t row 'a'.webhooks: expected JSON, got '[{\"url\": '");
        assertThatThrownBy(() -> AppRows.parse(row("max_connections", -1), "t row 'a'"))
                .hasMessage("t row 'a'.max_connections: expected a whole number between 0 and 2147483647, got -1");
        assertThatThrownBy(() -> AppRows.parse(row("policy", "{\"limits\": {\"max_connections\": \"many\"}}"), "t row 'a'"))
                .hasMessage("t row 'a'.policy.limits.max_connections: expected a whole number, got 'many'");
        assertThatThrownBy(() -> AppRows.parse(row("enabled", "maybe"), "t row 'a'"))
                .hasMessage("t row 'a'.enabled: expected true or false, got 'maybe'");
        assertThatThrownBy(() -> AppRows.parse(row("secret", ""), "t row 'a'"))
                .hasMessageStartingWith("t row 'a'.secret: expected a non-empty string");
    }
}
