package io.herald.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of the test's own on a free loopback port, to stop and start again at will
 * (nothing saved), or a one-node Redis Cluster holding every slot (it keeps its cluster
 * configuration across a restart, in a temporary directory).
 */
public final class PrivateRedis implements AutoCloseable {
    private final int port;
    private final List<String> options;
    /** The cluster node's directory (its nodes.conf), or null. */
    private final Path dir;
    private Process process;

    private PrivateRedis(int port, List<String> options, Path dir) {
        this.port = port;
        this.options = options;
        this.dir = dir;
    }

    /** Starts one on a free port. */
    public static PrivateRedis start() throws Exception {
        return start(List.of());
    }

    /** Starts one on a free port with more redis-server options ({@code --requirepass}, for instance). */
    public static PrivateRedis start(List<String> options) throws Exception {
        PrivateRedis redis = new PrivateRedis(freePort(), List.copyOf(options), null);
        redis.up();
        return redis;
    }

    /** Starts a Redis Cluster of one node that serves every slot. */
    public static PrivateRedis startCluster() throws Exception {
        Path dir = Files.createTempDirectory("herald-redis-cluster-");
        PrivateRedis redis = new PrivateRedis(freePort(), List.of("--cluster-enabled", "yes", "--dir", dir.toString(),
                "--cluster-config-file", "nodes.conf"), dir);
        redis.up();
        redis.cli("cluster", "addslotsrange", "0", "16383");
        Poll.until("the one-node cluster is ok", Duration.ofSeconds(10), Duration.ofMillis(50),
                () -> redis.cli("cluster", "info").contains("cluster_state:ok"), () -> "not ok yet");
        return redis;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Runs redis-cli against it and returns what it printed. */
    private String cli(String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
        line.addAll(List.of(command));
        Process cli = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        cli.waitFor(10, TimeUnit.SECONDS);
        return output;
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
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            down();
        }
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(dir);
        }
    }
}
