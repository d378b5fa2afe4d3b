package io.herald.webhooks;

import static io.herald.testing.WebhookReceiver.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Herald;
import io.herald.app.App;
import io.herald.app.Webhook;
import io.herald.config.HeraldConfig;
import io.herald.raw.ApiSigner;
import io.herald.raw.RawClient;
import io.herald.testing.CapturedLogs;
import io.herald.testing.Poll;
import io.herald.testing.TestServers;
import io.herald.testing.WebhookReceiver;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How webhooks are delivered when endpoints misbehave: retried after 5xx with backoff, not after a
 * 400, given up after the retry window, batched, bounded. Each test starts its own node.
 */
class WebhookDeliveryTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private WebhookReceiver receiver;
    private Herald herald;
    private CapturedLogs logs;

    @BeforeEach
    void setUp() {
        receiver = WebhookReceiver.start();
        logs = CapturedLogs.of(WebhookSender.class, Webhooks.class, Herald.class);
    }

    @AfterEach
    void tearDown() {
        logs.close();
        if (herald != null) {
            herald.close();
        }
        receiver.close();
    }

    private static App app(String id, Webhook... webhooks) {
        return App.builder(id, id + "-key", id + "-secret").enableClientMessages(true).maxClientEventsPerSecond(1000)
                .webhooks(List.of(webhooks)).build();
    }

    private Herald start(UnaryOperator<HeraldConfig.Builder> change, App... apps) {
        herald = TestServers.start(change.apply(TestServers.config(apps).toBuilder()).build());
        return herald;
    }

    /** A connection subscribed to a private channel of {@code app}, ready to send client events. */
    private RawClient sender(App app, String channel) {
        RawClient client = RawClient.connectEstablished(herald.port(), app.key());
        client.subscribe(channel, ApiSigner.channelAuth(app.key(), app.secret(), client.socketId(), channel), null);
        client.expectSubscribed(channel);
        return client;
    }

    private List<String> warnings() {
        return logs.all();
    }

    @Test
    void twoServerErrorsThenSuccessDeliversOnceAfterBackoff() throws InterruptedException {
        App app = app("flaky", Webhook.to(receiver.url("/flaky"), "channel_occupied"));
        receiver.respond("/flaky", 500, 503);
        start(b -> b, app);
        try (RawClient client = RawClient.connectEstablished(herald.port(), app.key())) {
            client.subscribeOk("flaky-room");
            List<WebhookReceiver.Received> tries = receiver.awaitRequests("/flaky", 3, WAIT);
            assertThat(tries).extracting(WebhookReceiver.Received::body).as("the same body each time").containsOnly(tries.get(0).body());
            assertThat(tries.get(1).receivedMillis() - tries.get(0).receivedMillis()).as("ms before the 2nd try")
                    .isGreaterThanOrEqualTo(900);
            assertThat(tries.get(2).receivedMillis() - tries.get(1).receivedMillis()).as("ms before the 3rd try")
                    .isGreaterThanOrEqualTo(1900);
        }
        WebhookStats stats = herald.webhookStats();
        Poll.until("the third try was counted sent", WAIT, Duration.ofMillis(10), () -> stats.sent() == 1,
                () -> "sent " + stats.sent());
        assertThat(stats.retried()).isEqualTo(2);
        assertThat(receiver.events("/flaky", event("channel_occupied", "flaky-room"))).hasSize(3);
        assertThat(warnings()).anyMatch(w -> w.contains(receiver.url("/flaky")) && w.contains("HTTP 500") && w.contains("retrying"));
    }

    @Test
    void aClientErrorIsFinalAndLogged() throws InterruptedException {
        App app = app("refused", Webhook.to(receiver.url("/gone"), "channel_occupied"));
        receiver.respond("/gone", 400);
        start(b -> b, app);
        try (RawClient client = RawClient.connectEstablished(herald.port(), app.key())) {
            client.subscribeOk("refused-room");
            receiver.awaitRequests("/gone", 1, WAIT);
        }
        WebhookStats stats = herald.webhookStats();
        Poll.until("the 400 was counted", WAIT, Duration.ofMillis(10), () -> stats.failed() == 1, () -> "failed " + stats.failed());
        assertThat(stats.retried()).as("nothing was put back for another try").isZero();
        assertThat(receiver.requests("/gone")).hasSize(1);
        assertThat(warnings()).anyMatch(w -> w.contains(receiver.url("/gone")) && w.contains("HTTP 400") && w.contains("not retried"));
    }

    @Test
    void aJobIsDroppedAndLoggedWhenTheRetryWindowEnds() throws InterruptedException {
        App app = app("dead", Webhook.to(receiver.url("/down"), "channel_occupied"));
        receiver.respond("/down", 503, 503, 503, 503, 503, 503);
        start(b -> b.webhooks(new HeraldConfig.WebhooksConfig(false, 50, 100, 10_000, 2)), app);
        try (RawClient client = RawClient.connectEstablished(herald.port(), app.key())) {
            client.subscribeOk("dead-room");
            WebhookStats stats = herald.webhookStats();
            Poll.until("the job was given up", WAIT, Duration.ofMillis(20), () -> stats.dropped() == 1, () -> "dropped " + stats.dropped());
            assertThat(stats.sent()).isZero();
        }
        assertThat(receiver.requests("/down")).as("tries within the 2 s window: at 0, 1 s and 3 s would be past it").hasSize(2);
        assertThat(warnings()).anyMatch(w -> w.contains("dropped") && w.contains("dead-room") && w.contains("2 tries"));
    }

    /** A webhook that never answers holds all slots but one: another app's webhooks still go out. */
    @Test
    void aHangingEndpointDoesNotStallOtherAppsWebhooks() {
        App stuck = app("stuck", Webhook.to(receiver.url("/hangs"), "client_event"));
        WebhookReceiver healthy = WebhookReceiver.start();
        try {
            App fine = app("fine", Webhook.to(healthy.url("/fine"), "channel_occupied"));
            receiver.hold();
            start(b -> b.webhooks(new HeraldConfig.WebhooksConfig(false, 50, 100, 30_000, 300)), stuck, fine);
            try (RawClient sender = sender(stuck, "private-stuck"); RawClient other = RawClient.connectEstablished(herald.port(), fine.key())) {
                for (int i = 0; i < 20; i++) {
                    sender.event("client-flood", "private-stuck", "{\"i\":" + i + "}");
                }
                receiver.awaitRequests("/hangs", 4, WAIT); // four of the five slots are taken, and stay taken
                other.subscribeOk("fine-room");
                healthy.awaitEvents("/fine", event("channel_occupied", "fine-room"), 1, WAIT);
                assertThat(receiver.requests("/hangs")).as("requests to the hanging endpoint at once").hasSize(4);
            }
        } finally {
            receiver.release();
            healthy.close();
        }
    }

    @Test
    void batchingPutsAnAppsEventsOfOneWindowIntoOnePost() {
        App app = app("batched", Webhook.to(receiver.url("/batch"), "client_event"));
        start(b -> b.webhooks(new HeraldConfig.WebhooksConfig(true, 500, 100, 10_000, 300)), app);
        try (RawClient sender = sender(app, "private-batched")) {
            for (int i = 0; i < 5; i++) {
                sender.event("client-tick", "private-batched", "{\"i\":" + i + "}");
            }
            receiver.awaitEvents("/batch", event("client_event", "private-batched"), 5, WAIT);
        }
        assertThat(receiver.requests("/batch")).hasSize(1);
        assertThat(receiver.events("/batch")).extracting(e -> e.path("data").asText())
                .containsExactly("{\"i\":0}", "{\"i\":1}", "{\"i\":2}", "{\"i\":3}", "{\"i\":4}");
    }

    /** As in Sockudo, queue.driver none means no webhooks; unlike Sockudo, the server says so. */
    @Test
    void queueDriverNoneTurnsWebhooksOffAndSaysWhichAppsLoseThem() {
        App app = app("unheard", Webhook.to(receiver.url("/never"), "channel_occupied"));
        HeraldConfig.QueueConfig memory = HeraldConfig.QueueConfig.memory();
        start(b -> b.queue(new HeraldConfig.QueueConfig("none", 5, memory.redisUrl(), memory.clusterNodes(), memory.prefix(),
                memory.commandTimeoutMillis(), memory.leaseSeconds(), memory.maxJobs())), app);
        assertThat(herald.webhookStats()).as("no webhook part at all").isNull();
        assertThat(warnings()).anyMatch(w -> w.contains("queue.driver none") && w.contains("[unheard]") && w.contains("never sent"));
        try (RawClient client = RawClient.connectEstablished(herald.port(), app.key())) {
            client.subscribeOk("unheard-room");
        }
    }

    @Test
    void aFullQueueDropsCountsAndLogs() throws InterruptedException {
        App app = app("bounded", Webhook.to(receiver.url("/slow"), "client_event"));
        receiver.hold();
        HeraldConfig.QueueConfig small = HeraldConfig.QueueConfig.memory();
        start(b -> b.queue(new HeraldConfig.QueueConfig("memory", 1, small.redisUrl(), small.clusterNodes(), small.prefix(),
                small.commandTimeoutMillis(), small.leaseSeconds(), 3)), app);
        WebhookStats stats = herald.webhookStats();
        try (RawClient sender = sender(app, "private-bounded")) {
            for (int i = 0; i < 10; i++) {
                sender.event("client-burst", "private-bounded", "{\"i\":" + i + "}");
            }
            Poll.until("seven of ten were refused", WAIT, Duration.ofMillis(10), () -> stats.dropped() == 7,
                    () -> "queued " + stats.queued() + ", dropped " + stats.dropped());
        } finally {
            receiver.release();
        }
        assertThat(stats.queued()).isEqualTo(3);
        assertThat(warnings()).anyMatch(w -> w.contains("dropped") && w.contains("is full") && w.contains("app bounded"));
    }
}
