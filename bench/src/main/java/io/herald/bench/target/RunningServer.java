package io.herald.bench.target;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.List;

/**
 * A Pusher-protocol server under test: where it listens, which processes to measure, and how to
 * stop it (a no-op for a server the bench did not start).
 */
public final class RunningServer implements AutoCloseable {
    private final String kind;
    private final String host;
    private final int port;
    private final List<Long> pids;
    private final ObjectNode info;
    private final Runnable stopper;
    private boolean stopped;

    public RunningServer(String kind, String host, int port, List<Long> pids, ObjectNode info, Runnable stopper) {
        this.kind = kind;
        this.host = host;
        this.port = port;
        this.pids = List.copyOf(pids);
        this.info = info;
        this.stopper = stopper;
    }

    /** "herald", "soketi" or "external". */
    public String kind() {
        return kind;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** Processes whose CPU and memory are the server's (empty when unknown). */
    public List<Long> pids() {
        return pids;
    }

    /** Name, version, JDK... as printed in the result lines. */
    public ObjectNode info() {
        return info;
    }

    /** The WebSocket URL of the app, with the query parameters the official clients send. */
    public URI webSocketUri(String appKey) {
        return URI.create("ws://" + host + ":" + port + "/app/" + appKey + "?protocol=7&client=herald-bench&version=0.1.0&flash=false");
    }

    @Override
    public synchronized void close() {
        if (!stopped) {
            stopped = true;
            stopper.run();
        }
    }
}
