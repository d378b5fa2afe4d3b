package io.herald.cluster;

/**
 * One running node as the bus knows it: its configured id ({@code instance.process_id}) and the
 * random id of this boot. Two processes started with the same id stay two peers, so a restart or
 * a misconfigured twin never passes for the node it replaces or copies.
 */
record Peer(String nodeId, String boot) {
    @Override
    public String toString() {
        return nodeId + " (boot " + boot + ")";
    }
}
