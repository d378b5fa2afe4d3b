package io.herald;

import io.herald.config.HeraldConfig;

/** A running Herald node: wires every part from the configuration, starts and stops them. */
public final class Herald implements AutoCloseable {
    // Real wiring lands with the transport; this is the contract tests compile against.
    public static Herald start(HeraldConfig config) throws Exception {
        throw new UnsupportedOperationException("not wired yet");
    }

    /** The port actually bound (useful when the config asked for port 0). */
    public int port() {
        throw new UnsupportedOperationException();
    }

    /** Graceful stop: refuse new work, close sockets with 4200, wait up to the grace period. */
    @Override
    public void close() {}
}
