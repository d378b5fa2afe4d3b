package io.herald.cluster;

import io.herald.config.HeraldConfig;
import io.herald.testing.TestServers;
import java.util.List;

/** Core NATS ({@code adapter.driver: nats}), on the NATS server scripts/test runs. */
class NatsTransportContractTest extends ClusterTransportContract {
    @Override
    ClusterTransport newTransport(String name) {
        return new NatsTransport(new HeraldConfig.AdapterConfig.Nats(List.of(TestServers.natsUrl()), "unused:", 5000, 5000,
                null, null, null), "contract-" + name);
    }
}
