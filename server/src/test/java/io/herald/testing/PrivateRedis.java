package io.herald.testing;

import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A redis-server of the test's own on a free loopback port, to stop and start again at will (nothing saved). */
public final class PrivateRedis implements AutoCloseable {
    private final int port;
    private final List<String> options;
    private Process process;

    private PrivateRedis(int port, List<String> options) {
        this.port = port;
        this.options = options;
    }

    /** Starts one on a free port. */
    public static PrivateRedis start() throws Exception {
        return start(List.of());
    }

    /** Starts one on a free port with more redis-server options ({@code --requirepass}, for instance). */
    public static PrivateRedis start(List<String> options) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        PrivateRedis redis = new PrivateRedis(port, List.copyOf(options));
        redis.up();
        return redis;
    }

    /**
     * Starts one that speaks only TLS on its port, with the server certificate of {@code tls}
     * (clients are not asked for certificates), and more options.
     */
    public static PrivateRedis startTls(TestCertificates tls, List<String> options) throws Exception {
        List<String> all = new ArrayList<>(List.of("--tls-port", "{port}", "--port", "0",
                "--tls-cert-file", tls.serverCertificate().toString(), "--tls-key-file", tls.serverKey().toString(),
                "--tls-ca-cert-file", tls.caCertificate().toString(), "--tls-auth-clients", "no"));
        all.addAll(options);
        return start(all);
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts it (again) on its port and waits until it listens. */
    public void up() throws Exception {
        List<String> command = new ArrayList<>(List.of("redis-server", "--bind", "127.0.0.1", "--port", Integer.toString(port),
                "--save", "", "--appendonly", "no"));
        options.forEach(option -> command.add(option.replace("{port}", Integer.toString(port))));
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
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
