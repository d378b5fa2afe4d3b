package io.herald.testing;

import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A redis-server of the test's own on a free loopback port, to stop and start again at will (nothing saved). */
public final class PrivateRedis implements AutoCloseable {
    private final int port;
    private Process process;

    private PrivateRedis(int port) {
        this.port = port;
    }

    /** Starts one on a free port. */
    public static PrivateRedis start() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        PrivateRedis redis = new PrivateRedis(port);
        redis.up();
        return redis;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts it (again) on its port and waits until it listens. */
    public void up() throws Exception {
        process = new ProcessBuilder("redis-server", "--bind", "127.0.0.1", "--port", Integer.toString(port),
                "--save", "", "--appendonly", "no").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Poll.until("redis-server listens on " + port, Duration.ofSeconds(10), Duration.ofMillis(20), () -> {
                try (Socket ignored = new Socket("127.0.0.1", port)) {
                    return true;
                }
            }, () -> "connection refused");
        } catch (AssertionError e) {
            process.destroy();
            throw e;
        }
    }

    /** Stops it (its data is gone: nothing is saved). */
    public void down() throws InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            down();
        }
    }
}
