package io.herald.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Herald;
import io.herald.raw.ApiClient;
import io.herald.raw.RawClient;
import io.herald.testing.TestServers;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code rate_limiter} with the memory driver: 3 API requests and 2 WebSocket upgrades per client
 * IP and minute. One node trusts X-Forwarded-For (each test uses addresses of its own), the other
 * does not (there every request counts against 127.0.0.1).
 */
class HttpRateLimitTest {
    private static final String CHANNELS = "/apps/" + TestServers.APP_ID + "/channels";

    private static Herald trusting;
    private static Herald direct;
    private static ApiClient trustingApi;
    private static ApiClient directApi;

    @BeforeAll
    static void start() {
        trusting = TestServers.start(LimitServers.withRateLimiter(TestServers.config(),
                LimitServers.rateLimiter("memory", 3, 2, true, TestServers.redisUrl(), "unused:")));
        direct = TestServers.start(LimitServers.withRateLimiter(TestServers.config(),
                LimitServers.rateLimiter("memory", 3, 100, false, TestServers.redisUrl(), "unused:")));
        trustingApi = new ApiClient(trusting.port(), TestServers.APP_KEY, TestServers.APP_SECRET);
        directApi = new ApiClient(direct.port(), TestServers.APP_KEY, TestServers.APP_SECRET);
    }

    @AfterAll
    static void stop() {
        trusting.close();
        direct.close();
    }

    private static HttpResponse<String> channels(String forwardedFor) {
        return LimitServers.get(trusting.port(), trustingApi, CHANNELS, forwardedFor);
    }

    @Test
    void fourthApiRequestFromOneAddressIs429WithRetryAfter() {
        for (int i = 0; i < 3; i++) {
            assertThat(channels("10.1.0.1").statusCode()).isEqualTo(200);
        }
        HttpResponse<String> refused = channels("10.1.0.1");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(ApiClient.json(refused).path("error").asText()).startsWith("Too many requests").contains("10.1.0.1");
        assertThat(refused.headers().firstValue("Retry-After").map(Long::parseLong)).hasValueSatisfying(
                seconds -> assertThat(seconds).isBetween(1L, 60L));
        assertThat(channels("10.1.0.2").statusCode()).as("another client address").isEqualTo(200);
    }

    @Test
    void onlyTheFirstForwardedAddressCounts() {
        for (int i = 0; i < 3; i++) {
            assertThat(channels("10.2.0.1, 192.168.0." + i).statusCode()).isEqualTo(200);
        }
        assertThat(channels("10.2.0.1, 192.168.0.99").statusCode()).isEqualTo(429);
        assertThat(channels("10.2.0.2, 10.2.0.1").statusCode()).as("10.2.0.1 only as a proxy hop").isEqualTo(200);
    }

    @Test
    void everythingUnderAppsCountsEvenWhenItFails() {
        assertThat(LimitServers.get(trusting.port(), null, CHANNELS, "10.3.0.1").statusCode()).as("unsigned").isEqualTo(401);
        assertThat(LimitServers.get(trusting.port(), null, "/apps/no-such-app/channels", "10.3.0.1").statusCode()).isEqualTo(404);
        assertThat(channels("10.3.0.1").statusCode()).isEqualTo(200);
        assertThat(channels("10.3.0.1").statusCode()).isEqualTo(429);
    }

    @Test
    void upAndUsageAreNeverLimited() {
        for (int i = 0; i < 4; i++) {
            channels("10.4.0.1");
        }
        assertThat(channels("10.4.0.1").statusCode()).isEqualTo(429);
        for (int i = 0; i < 10; i++) {
            assertThat(LimitServers.get(trusting.port(), null, "/up", "10.4.0.1").statusCode()).isEqualTo(200);
            assertThat(LimitServers.get(trusting.port(), null, "/up/" + TestServers.APP_ID, "10.4.0.1").statusCode())
                    .isEqualTo(200);
            assertThat(LimitServers.get(trusting.port(), null, "/usage", "10.4.0.1").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void thirdUpgradeFromOneAddressIs429BeforeTheUpgrade() {
        assertThat(LimitServers.upgrade(trusting.port(), TestServers.APP_KEY, "10.5.0.1").status()).isEqualTo(101);
        assertThat(LimitServers.upgrade(trusting.port(), TestServers.APP_KEY, "10.5.0.1").status()).isEqualTo(101);
        LimitServers.Upgrade refused = LimitServers.upgrade(trusting.port(), TestServers.APP_KEY, "10.5.0.1");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.retryAfter()).isNotNull();
        assertThat(Long.parseLong(refused.retryAfter())).isBetween(1L, 60L);
        assertThat(LimitServers.upgrade(trusting.port(), TestServers.APP_KEY, "10.5.0.2").status())
                .as("another client address").isEqualTo(101);
        assertThat(channels("10.5.0.1").statusCode()).as("upgrades and API requests are counted apart").isEqualTo(200);
    }

    @Test
    void upgradesWithinTheLimitWorkNormally() {
        try (RawClient client = RawClient.connect(RawClient.appUri(trusting.port(), TestServers.APP_KEY), true, false)) {
            client.awaitEstablished();
            client.subscribeOk("after-limit-check");
        }
    }

    @Test
    void withoutTrustTheForwardedHeaderIsIgnored() {
        for (int i = 0; i < 3; i++) {
            assertThat(LimitServers.get(direct.port(), directApi, CHANNELS, "10.6.0." + i).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> refused = LimitServers.get(direct.port(), directApi, CHANNELS, "10.6.0.99");
        assertThat(refused.statusCode()).as("every request came from 127.0.0.1").isEqualTo(429);
        assertThat(ApiClient.json(refused).path("error").asText()).contains("127.0.0.1");
    }
}
