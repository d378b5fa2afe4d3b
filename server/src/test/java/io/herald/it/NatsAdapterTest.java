package io.herald.it;

import io.herald.config.HeraldConfig;
import io.herald.testing.TestServers;
import java.util.List;

/** Two nodes over NATS ({@code adapter.driver: nats}), on the NATS server scripts/test starts. */
class NatsAdapterTest extends ClusterNodesTest {
    @Override
    HeraldConfig.AdapterConfig adapter(String prefix) {
        return new HeraldConfig.AdapterConfig.Nats( List.of(TestServers.natsUrl()), prefix, 5000, 5000, null, null, null);
    }

    @Override
    String adapterJson(String prefix) {
        return "{\"driver\": \"nats\", \"nats\": {\"servers\": [\"" + TestServers.natsUrl() + "\"], \"prefix\": \"" + prefix + "\","
                + " \"request_timeout_ms\": 5000, \"connection_timeout_ms\": 5000, \"username\": null, \"password\": null, \"token\": null}}";
    }
}
