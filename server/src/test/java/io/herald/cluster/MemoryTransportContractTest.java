package io.herald.cluster;

/** The in-memory transport the protocol tests use keeps the contract of the real ones. */
class MemoryTransportContractTest extends ClusterTransportContract {
    private final MemoryBus bus = new MemoryBus();

    @Override
    ClusterTransport newTransport(String name) {
        return bus.transport(name);
    }
}
