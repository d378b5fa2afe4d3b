package io.herald.bench.target;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * The reference peer, soketi 1.6.1 (/work/shared/peers/soketi): copied to a temp folder and
 * installed with {@code npm ci --ignore-scripts} once per bench run, started with its start.sh on
 * free loopback ports, stopped with its stop.sh (which signals the PID in soketi.pid).
 */
public final class SoketiLauncher implements AutoCloseable {
    private final Path source;
    private Path dir;
    private String nodeVersion;

    public SoketiLauncher(Path source) {
        this.source = source;
    }

    private synchronized void install() throws IOException, InterruptedException {
        if (dir != null) {
            return;
        }
        if (!Files.isRegularFile(source.resolve("start.sh"))) {
            throw new HeraldLauncher.StartFailure("no soketi peer at " + source + " (start.sh missing); use --soketi-dir");
        }
        Path d = Files.createTempDirectory("herald-bench-soketi");
        try (var files = Files.list(source)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f)) {
                    Path copy = d.resolve(f.getFileName());
                    Files.copy(f, copy, StandardCopyOption.REPLACE_EXISTING);
                    copy.toFile().setWritable(true, true);
                }
            }
        }
        System.err.println("bench: installing soketi in " + d + " (npm ci --ignore-scripts)...");
        Processes.run(List.of("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"), d, null, 600);
        nodeVersion = Processes.run(List.of("node", "--version"), d, null, 30).trim();
        dir = d;
    }

    public RunningServer start() throws IOException, InterruptedException {
        return start(Map.of());
    }

    /**
     * Starts one soketi node with extra SOKETI_* variables. Each node gets its own folder (start.sh
     * keeps its PID file beside itself) sharing the one installed node_modules.
     */
    public RunningServer start(Map<String, String> extraEnv) throws IOException, InterruptedException {
        install();
        Path nodeDir = Files.createTempDirectory(dir, "node-");
        for (String file : List.of("start.sh", "stop.sh", "soketi.config.json")) {
            Files.copy(dir.resolve(file), nodeDir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.createSymbolicLink(nodeDir.resolve("node_modules"), dir.resolve("node_modules"));
        int port = Processes.freePort();
        int metricsPort = Processes.freePort();
        int clusterPort = Processes.freePort();
        Map<String, String> env = new java.util.HashMap<>(extraEnv);
        env.putAll(Map.of("PORT", Integer.toString(port), "METRICS_PORT", Integer.toString(metricsPort),
                "CLUSTER_PORT", Integer.toString(clusterPort)));
        Path pidFile = nodeDir.resolve("soketi.pid");
        Path stopScript = nodeDir.resolve("stop.sh");
        Processes.run(List.of("bash", nodeDir.resolve("start.sh").toString()), nodeDir, env, 60);
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        Process watchdog = Processes.watchdog(pid);
        Runnable stopper = () -> {
            try {
                Processes.run(List.of("bash", stopScript.toString()), nodeDir, null, 30);
            } catch (IOException e) {
                System.err.println("bench: soketi stop.sh failed: " + e.getMessage());
                ProcessHandle.of(pid).ifPresent(h -> Processes.stop(h, 5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (watchdog != null) {
                watchdog.destroy();
            }
        };
        ObjectNode info = Json.object();
        info.put("name", "soketi");
        info.put("version", "1.6.1");
        info.put("node_version", nodeVersion);
        System.err.println("bench: soketi up on 127.0.0.1:" + port + " (pid " + pid + ", node " + nodeVersion + ")");
        return new RunningServer("soketi", "127.0.0.1", port, List.of(pid), info, stopper);
    }

    @Override
    public synchronized void close() {
        if (dir != null) {
            Processes.deleteTree(dir);
            dir = null;
        }
    }
}
