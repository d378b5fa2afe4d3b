package io.herald.testing;

import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A nats-server of the test's own on a free loopback port, with the given extra options (TLS, a
 * token) or a small {@code max_payload} (set in a configuration file: nats-server 2.9 has no
 * command-line flag for it); stopped by its PID.
 */
public final class PrivateNats implements AutoCloseable {
    private final int port;
    private final Process process;
    private final Path log;
    private final Path config; // null without one

    private PrivateNats(int port, Process process, Path log, Path config) {
        this.port = port;
        this.process = process;
        this.log = log;
        this.config = config;
    }

    /** Starts one whose messages may be at most {@code maxPayloadBytes}. */
    public static PrivateNats start(int maxPayloadBytes) throws Exception {
        Path config = Files.createTempFile("herald-nats-", ".conf");
        Files.writeString(config, "max_payload: " + maxPayloadBytes + "\n");
        return start(config, "-c", config.toString());
    }

    /** Starts one with more nats-server options. */
    public static PrivateNats start(String... options) throws Exception {
        return start(null, options);
    }

    private static PrivateNats start(Path config, String... options) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = Files.createTempFile("herald-nats", ".log");
        List<String> command = new ArrayList<>(List.of(natsServer(), "-a", "127.0.0.1", "-p", Integer.toString(port)));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrivateNats nats = new PrivateNats(port, process, log, config);
        try {
            Poll.until("nats-server listens on " + port, Duration.ofSeconds(10), Duration.ofMillis(20), () -> {
                if (!process.isAlive()) {
                    throw new AssertionError("nats-server exited: " + Files.readString(log));
                }
                try (Socket ignored = new Socket("127.0.0.1", port)) {
                    return true;
                }
            }, () -> "connection refused");
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

    public int port() {
        return port;
    }

    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(log);
        if (config != null) {
            Files.deleteIfExists(config);
        }
    }
}
