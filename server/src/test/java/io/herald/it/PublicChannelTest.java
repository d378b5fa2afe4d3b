package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.pusher.rest.data.Event;
import com.pusher.rest.data.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Public channels driven by pusher-java-client, events published with pusher-http-java. */
class PublicChannelTest {
    @RegisterExtension
    static final Fixture fx = Fixture.serving();
    private static com.pusher.rest.Pusher rest;

    @BeforeAll
    static void startServer() {
        rest = fx.rest();
    }

    @Test
    void eventTriggeredThroughHttpApiReachesSubscriber() {
        WsClient client = fx.client("subscriber").connect();
        client.subscribe("news");

        Result result = rest.trigger("news", "breaking", Map.of("headline", "Herald ships"));

        assertThat(result.getHttpStatus()).as("trigger response body: %s", result.getMessage()).isEqualTo(200);
        assertThat(result.getStatus()).isEqualTo(Result.Status.SUCCESS);
        WsClient.Obs event = client.awaitEvent("news", "breaking");
        assertThat(Fixture.json(event.data())).isEqualTo(Fixture.json("{\"headline\":\"Herald ships\"}"));
    }

    @Test
    void socketIdInTriggerExcludesThatConnectionOnly() {
        WsClient a = fx.client("A").connect();
        WsClient b = fx.client("B").connect();
        a.subscribe("exclusion");
        b.subscribe("exclusion");

        Result result = rest.trigger("exclusion", "update", Map.of("v", "1"), a.socketId());

        assertThat(result.getHttpStatus()).as("trigger response body: %s", result.getMessage()).isEqualTo(200);
        b.awaitEvent("exclusion", "update");
        // A gets a later event on the same channel; the excluded one would have arrived before it.
        Fixture.marker(rest, "exclusion", a, b);
        assertThat(a.history(o -> o.kind() == WsClient.Kind.EVENT && "update".equals(o.name())))
                .as("events named 'update' received by the excluded socket %s", a.socketId())
                .isEmpty();
    }

    @Test
    void batchEventsArriveInOrderOnTheirChannels() {
        WsClient client = fx.client("batch").connect();
        client.subscribe("batch-a");
        client.subscribe("batch-b");
        client.subscribe("batch-c");

        List<Event> batch = List.of(
                new Event("batch-a", "step", Map.of("n", "1")),
                new Event("batch-b", "step", Map.of("n", "2")),
                new Event("batch-a", "step", Map.of("n", "3")),
                new Event("batch-c", "step", Map.of("n", "4")),
                new Event("batch-b", "step", Map.of("n", "5")),
                new Event("batch-a", "step", Map.of("n", "6")));
        Result result = rest.trigger(batch);

        assertThat(result.getHttpStatus()).as("batch trigger response body: %s", result.getMessage()).isEqualTo(200);
        List<String> a = receiveSteps(client, "batch-a", 3);
        List<String> b = receiveSteps(client, "batch-b", 2);
        List<String> c = receiveSteps(client, "batch-c", 1);
        assertThat(a).containsExactly("1", "3", "6");
        assertThat(b).containsExactly("2", "5");
        assertThat(c).containsExactly("4");
    }

    private static List<String> receiveSteps(WsClient client, String channel, int count) {
        List<String> ns = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            WsClient.Obs e = client.awaitEvent(channel, "step");
            ns.add(Fixture.json(e.data()).path("n").asText());
        }
        return ns;
    }
}
