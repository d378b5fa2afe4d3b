package io.herald.bench.target;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The message bus a cluster of Herald nodes shares: a Redis server, a 3-node Redis Cluster or a
 * NATS server, started by the bench on free loopback ports (or given by URL), and the environment
 * variables that point Herald at it.
 */
public final class BackingService implements AutoCloseable {
    /** Starts the single process of a redis or nats service (again) on its port and waits until it answers. */
    private interface Starter {
        Process start() throws IOException;
    }

    private final String adapter;
    private final Map<String, String> env;
    private final List<Process> processes;
    private final Path dir;
    private final String description;
    /** null: not restartable (a Redis Cluster, or a service the bench did not start). */
    private final Starter starter;

    private BackingService(String adapter, Map<String, String> env, List<Process> processes, Path dir, String description,
                           Starter starter) {
        this.adapter = adapter;
        this.env = env;
        this.processes = new ArrayList<>(processes);
        this.dir = dir;
        this.description = description;
        this.starter = starter;
    }

    /** The PID of a redis or nats service the bench started. */
    public synchronized long pid() {
        if (starter == null || processes.size() != 1) {
            throw new IllegalStateException(description + " is not one process the bench started");
        }
        return processes.get(0).pid();
    }

    /** SIGKILLs the service's process (chaos: the bus goes away at once) and waits until it is gone. */
    public synchronized void kill() {
        long pid = pid();
        Processes.kill(processes.get(0).toHandle());
        System.err.println("bench: killed " + description + " (pid " + pid + ")");
    }

    /** Starts the killed service again on the same port; returns once it answers. */
    public synchronized void startAgain() throws IOException {
        pid();
        if (processes.get(0).isAlive()) {
            throw new IllegalStateException(description + " is still running");
        }
        processes.set(0, starter.start());
        System.err.println("bench: started " + description + " again (pid " + processes.get(0).pid() + ")");
    }

    /** Herald's configuration for this adapter (ADAPTER_DRIVER plus the URL variables). */
    public Map<String, String> env() {
        return env;
    }

    public String description() {
        return description;
    }

    /**
     * soketi's configuration for the same bus (its SOKETI_* variables take JSON values). soketi's
     * Redis Cluster mode reads its nodes from the config file only, so it is not offered here.
     */
    public Map<String, String> soketiEnv() {
        Map<String, String> soketi = new LinkedHashMap<>();
        switch (adapter) {
            case "redis" -> {
                URI url = URI.create(env.get("REDIS_URL"));
                soketi.put("SOKETI_ADAPTER_DRIVER", "redis");
                soketi.put("SOKETI_DB_REDIS_HOST", url.getHost());
                soketi.put("SOKETI_DB_REDIS_PORT", Integer.toString(url.getPort() < 0 ? 6379 : url.getPort()));
            }
            case "nats" -> {
                soketi.put("SOKETI_ADAPTER_DRIVER", "nats");
                soketi.put("SOKETI_ADAPTER_NATS_SERVERS", "[" + String.join(",", java.util.Arrays.stream(env.get("NATS_SERVERS").split(","))
                        .map(server -> "\"" + server.trim().replaceFirst("^nats://", "") + "\"").toList()) + "]");
            }
            default -> throw new IllegalArgumentException("soketi is measured with --adapter redis or nats (its Redis Cluster "
                    + "mode takes the nodes from a config file only)");
        }
        return soketi;
    }

    /** Uses a running service: {@code url} is redis://..., a comma list of redis:// nodes, or nats://... */
    public static BackingService external(String adapter, String url) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ADAPTER_DRIVER", adapter);
        switch (adapter) {
            case "redis" -> env.put("REDIS_URL", url);
            case "redis-cluster" -> env.put("REDIS_CLUSTER_NODES", url);
            case "nats" -> env.put("NATS_SERVERS", url);
            default -> throw new IllegalArgumentException("--adapter must be redis, redis-cluster or nats");
        }
        return new BackingService(adapter, env, List.of(), null, adapter + " at " + url, null);
    }

    /** Starts the service for {@code adapter} on free loopback ports. */
    public static BackingService start(String adapter) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("herald-bench-" + adapter);
        List<Process> started = new ArrayList<>();
        try {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("ADAPTER_DRIVER", adapter);
            String description;
            Starter starter = null;
            switch (adapter) {
                case "redis" -> {
                    int port = Processes.freePort();
                    starter = () -> ready(redis(dir, port, false), () -> awaitRedis(port));
                    started.add(starter.start());
                    env.put("REDIS_URL", "redis://127.0.0.1:" + port);
                    description = "redis-server on 127.0.0.1:" + port;
                }
                case "redis-cluster" -> {
                    List<String> nodes = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        int port = clusterPort();
                        started.add(redis(dir, port, true));
                        awaitRedis(port);
                        nodes.add("127.0.0.1:" + port);
                    }
                    List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
                    create.addAll(nodes);
                    create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
                    Processes.run(create, dir, null, 60);
                    awaitClusterOk(Integer.parseInt(nodes.get(0).split(":")[1]));
                    env.put("REDIS_CLUSTER_NODES", String.join(",", nodes.stream().map(n -> "redis://" + n).toList()));
                    description = "3-node Redis Cluster on " + String.join(", ", nodes);
                }
                case "nats" -> {
                    int port = Processes.freePort();
                    starter = () -> {
                        Process p = new ProcessBuilder("nats-server", "-a", "127.0.0.1", "-p", Integer.toString(port))
                                .directory(dir.toFile()).redirectErrorStream(true)
                                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("nats.log").toFile())).start();
                        Processes.watchdog(p.pid());
                        return ready(p, () -> awaitPort(port, p, dir.resolve("nats.log")));
                    };
                    started.add(starter.start());
                    env.put("NATS_SERVERS", "nats://127.0.0.1:" + port);
                    description = "nats-server on 127.0.0.1:" + port;
                }
                default -> throw new IllegalArgumentException("--adapter must be redis, redis-cluster or nats");
            }
            System.err.println("bench: started " + description);
            return new BackingService(adapter, env, started, dir, description, starter);
        } catch (IOException | InterruptedException | RuntimeException e) {
            started.forEach(p -> Processes.stop(p.toHandle(), 5));
            Processes.deleteTree(dir);
            throw e;
        }
    }

    private interface Check {
        void run() throws IOException;
    }

    /** Returns {@code p} once {@code check} passes; stops it if it does not. */
    private static Process ready(Process p, Check check) throws IOException {
        try {
            check.run();
            return p;
        } catch (IOException | RuntimeException e) {
            Processes.stop(p.toHandle(), 5);
            throw e;
        }
    }

    private static Process redis(Path dir, int port, boolean cluster) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--logfile", dir.resolve("redis-" + port + ".log").toString()));
        if (cluster) {
            cmd.addAll(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf"));
        }
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Processes.watchdog(p.pid());
        return p;
    }

    /** A free port whose cluster bus port (+10000) is free too. */
    private static int clusterPort() {
        for (int i = 0; i < 50; i++) {
            int port = Processes.freePort();
            if (port + 10000 < 65536) {
                try (var s = new java.net.ServerSocket()) {
                    s.bind(new InetSocketAddress("127.0.0.1", port + 10000));
                    return port;
                } catch (IOException e) {
                    // try another
                }
            }
        }
        throw new IllegalStateException("no free port pair for Redis Cluster");
    }

    private static void awaitRedis(int port) throws IOException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                s.setSoTimeout(1000);
                OutputStream out = s.getOutputStream();
                out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[16];
                int n = in.read(buf);
                if (n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG")) {
                    return;
                }
            } catch (IOException e) {
                // not yet
            }
            Processes.sleep(100);
        }
        throw new IOException("redis-server on port " + port + " did not answer PING within 15 s");
    }

    private static void awaitClusterOk(int port) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            String info = Processes.run(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port), "cluster", "info"), null, null, 10);
            if (info.contains("cluster_state:ok")) {
                return;
            }
            Processes.sleep(200);
        }
        throw new IOException("Redis Cluster did not reach cluster_state:ok within 20 s");
    }

    private static void awaitPort(int port, Process p, Path log) throws IOException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("server on port " + port + " exited: " + Processes.tail(log, 10));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                Processes.sleep(100);
            }
        }
        throw new IOException("nothing listens on port " + port + " after 15 s");
    }

    @Override
    public synchronized void close() {
        for (Process p : processes) {
            Processes.stop(p.toHandle(), 10);
        }
        Processes.deleteTree(dir);
    }

    @Override
    public String toString() {
        return adapter + " (" + description + ")";
    }
}
