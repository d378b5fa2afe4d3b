package io.herald.testing;

import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A nats-server of the test's own on a free loopback port, with a small {@code max_payload}
 * (set in a configuration file: nats-server 2.9 has no command-line flag for it).
 */
public final class PrivateNats implements AutoCloseable {
    private final int port;
    private final Path config;
    private final Process process;

    private PrivateNats(int port, Path config, Process process) {
        this.port = port;
        this.config = config;
        this.process = process;
    }

    /** Starts one whose messages may be at most {@code maxPayloadBytes}. */
    public static PrivateNats start(int maxPayloadBytes) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path config = Files.createTempFile("herald-nats-", ".conf");
        Files.writeString(config, "max_payload: " + maxPayloadBytes + "\n");
        Process process = new ProcessBuilder(natsServer(), "-c", config.toString(), "-a", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        PrivateNats nats = new PrivateNats(port, config, process);
        try {
            Poll.until("nats-server listens on " + port, Duration.ofSeconds(10), Duration.ofMillis(20), () -> {
                try (Socket ignored = new Socket("127.0.0.1", port)) {
                    return true;
                }
            }, () -> process.isAlive() ? "connection refused" : "nats-server exited with " + process.exitValue());
        } catch (AssertionError e) {
            nats.close();
            throw e;
        }
        return nats;
    }

    /** scripts/test installs Debian's nats-server, which lives in /usr/sbin. */
    private static String natsServer() {
        return Files.isExecutable(Path.of("/usr/sbin/nats-server")) ? "/usr/sbin/nats-server" : "nats-server";
    }

    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
        Files.deleteIfExists(config);
    }
}
