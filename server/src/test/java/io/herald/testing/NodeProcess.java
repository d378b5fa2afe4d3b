package io.herald.testing;

import io.herald.Main;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Herald node in a process of its own (started from the test's class path), for what only a
 * process can show: a SIGKILL, a restart. Its output goes to a temporary log that failures quote.
 */
public final class NodeProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final Path config;
    private final int port;

    private NodeProcess(Process process, Path log, Path config, int port) {
        this.process = process;
        this.log = log;
        this.config = config;
        this.port = port;
    }

    /** A free loopback port, for a node that must come back on the same one. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * Starts a node listening on 127.0.0.1:{@code port} with the given top-level config JSON
     * fields ({@code "adapter": {...}, ...}, without braces) and environment, and waits for
     * {@code /up} to answer 200.
     */
    public static NodeProcess start(int port, String configFields, Map<String, String> env) throws Exception {
        Path log = Files.createTempFile("herald-node", ".log");
        Path config = Files.createTempFile("herald-node", ".json");
        // Metrics off: several nodes of a test share this machine, and 9601 is the metrics default. No
        // start-up warm-up (seconds per node) unless a test asks for it (StartupWarmUpTest).
        Files.writeString(config, "{\"host\": \"127.0.0.1\", \"port\": " + port + ", \"metrics\": {\"enabled\": false}"
                + (configFields.contains("\"startup_warm_up\"") ? "" : ", \"startup_warm_up\": false")
                + (configFields.isBlank() ? "" : ", " + configFields) + "}");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        NodeProcess node = new NodeProcess(builder.start(), log, config, port);
        try {
            node.awaitUp();
        } catch (Exception | AssertionError e) {
            String threads = node.threadDump();
            node.close();
            throw new AssertionError(e.getMessage() + "\nthreads of the node:\n" + threads, e);
        }
        return node;
    }

    public int port() {
        return port;
    }

    private void awaitUp() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        // A fresh JVM beside the suite's parallel test classes on two cores can take long to start.
        Poll.until("the node on port " + port + " answers /up with 200", Duration.ofSeconds(90), Duration.ofMillis(100), () -> {
            if (!process.isAlive()) {
                throw new AssertionError("the node exited: " + output());
            }
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/up")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        }, this::output);
    }

    /** Waits until the node's log says {@code text}. */
    public void awaitOutput(String text) throws InterruptedException {
        Poll.until("the node on port " + port + " logs '" + text + "'", Duration.ofSeconds(30), Duration.ofMillis(50),
                () -> output().contains(text), this::output);
    }

    /** What the node's threads are doing (for a node that does not come up). */
    private String threadDump() {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(process.pid()), "Thread.print").redirectErrorStream(true).start();
            String dump = new String(jcmd.getInputStream().readAllBytes());
            jcmd.waitFor(10, TimeUnit.SECONDS);
            return dump;
        } catch (IOException | InterruptedException e) {
            return "(no thread dump: " + e + ")";
        }
    }

    /** SIGKILL: no goodbye, nothing flushed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        kill();
        Files.deleteIfExists(log);
        Files.deleteIfExists(config);
    }
}
