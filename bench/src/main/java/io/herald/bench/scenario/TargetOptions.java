package io.herald.bench.scenario;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import io.herald.bench.Loopback;
import io.herald.bench.target.HeraldLauncher;
import io.herald.bench.target.RunningServer;
import io.herald.bench.target.SoketiLauncher;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Option;

/** Which server(s) to measure and how to start them. */
public final class TargetOptions {
    @Option(names = "--target", defaultValue = "herald", paramLabel = "herald|soketi|both",
            description = "Server to start and measure (default: ${DEFAULT-VALUE}); both = Herald then soketi, same parameters, plus their ratio.")
    String target;

    @Option(names = "--url", paramLabel = "URL[,URL...]",
            description = "An already running server instead (ws://127.0.0.1:PORT, loopback only); cluster: one per node, the first gets the publishes.")
    String url;

    @Option(names = "--pid", split = ",", paramLabel = "PID",
            description = "PID(s) of that server, for its CPU and memory (from /proc).")
    List<Long> pids = new ArrayList<>();

    @Option(names = "--label", defaultValue = "external", description = "Name of the --url server in the results (default: ${DEFAULT-VALUE}).")
    String label;

    @Option(names = "--jdk", defaultValue = "17", paramLabel = "17|25|PATH",
            description = "JVM for Herald: 17 = /usr/lib/jvm/java-17-openjdk-amd64, 25 = /usr/lib/jvm/temurin-25-jdk-amd64, or a java path (default: ${DEFAULT-VALUE}).")
    String jdk;

    @Option(names = "--server-jvm-opts", defaultValue = "", paramLabel = "OPTS",
            description = "Extra JVM options for Herald, after those of server/jvm.options (bin/herald's); a -XX:+Use...GC here replaces its collector.")
    String serverJvmOpts;

    @Option(names = "--server-jar", paramLabel = "JAR", description = "Herald jar (default: server/target/herald.jar).")
    Path serverJar;

    @Option(names = "--soketi-dir", paramLabel = "DIR", description = "soketi peer folder (default: /work/shared/peers/soketi).")
    Path soketiDir;

    @Option(names = "--app-id", defaultValue = "app-id", description = "App id (default: ${DEFAULT-VALUE}).")
    String appId;

    @Option(names = "--app-key", defaultValue = "app-key", description = "App key (default: ${DEFAULT-VALUE}).")
    String appKey;

    @Option(names = "--app-secret", defaultValue = "app-secret", description = "App secret (default: ${DEFAULT-VALUE}).")
    String appSecret;

    @Option(names = "--io-uring",
            description = "Also run Herald with io_transport io_uring (target herald+io_uring), right after the default Herald.")
    boolean ioUring;

    @Option(names = "--without-warm-up",
            description = "Also run Herald with startup_warm_up false (target herald+no_warm_up), right after the default Herald.")
    boolean withoutWarmUp;

    /** The names of the targets to run, in order: the variants of Herald right after it. */
    List<String> targets() {
        List<String> names = new java.util.ArrayList<>(baseTargets());
        int herald = names.indexOf("herald");
        if (herald >= 0) {
            if (withoutWarmUp) {
                names.add(herald + 1, "herald+no_warm_up");
            }
            if (ioUring) {
                names.add(herald + 1, "herald+io_uring");
            }
        }
        return names;
    }

    private List<String> baseTargets() {
        if (url != null) {
            if (!target.equals("herald")) {
                throw new IllegalArgumentException("--url measures an already running server: drop --target");
            }
            return List.of(label);
        }
        return switch (target) {
            case "herald" -> List.of("herald");
            case "soketi" -> List.of("soketi");
            case "both" -> List.of("herald", "soketi");
            default -> throw new IllegalArgumentException("--target must be herald, soketi or both, not '" + target + "'");
        };
    }

    boolean external() {
        return url != null;
    }

    HeraldLauncher heraldLauncher() {
        Path jar = serverJar != null ? serverJar : BenchContext.root().resolve("server/target/herald.jar");
        List<String> opts = serverJvmOpts.isBlank() ? List.of() : Arrays.asList(serverJvmOpts.trim().split("\\s+"));
        return new HeraldLauncher(jar, HeraldLauncher.javaFor(jdk), jdk, opts);
    }

    SoketiLauncher soketiLauncher() {
        Path dir = soketiDir != null ? soketiDir : Path.of(System.getenv().getOrDefault("HERALD_BENCH_SOKETI_DIR", "/work/shared/peers/soketi"));
        return new SoketiLauncher(dir);
    }

    /** The --url server(s), checked to be loopback. */
    List<RunningServer> externalServers() {
        List<RunningServer> servers = new ArrayList<>();
        for (long pid : pids) {
            if (!io.herald.bench.proc.ProcStats.alive(pid)) {
                throw new IllegalArgumentException("--pid " + pid + " is not a running process");
            }
        }
        String[] urls = url.split(",");
        for (int i = 0; i < urls.length; i++) {
            URI uri = parse(urls[i].trim());
            String host = Loopback.requireLoopback(uri);
            int port = uri.getPort() > 0 ? uri.getPort() : 80;
            List<Long> nodePids = urls.length == 1 ? pids : (i < pids.size() ? List.of(pids.get(i)) : List.of());
            ObjectNode info = Json.object();
            info.put("name", label);
            info.put("url", uri.toString());
            servers.add(new RunningServer(label, host, port, nodePids, info, () -> { }));
        }
        return servers;
    }

    private static URI parse(String text) {
        String t = text.contains("://") ? text : "ws://" + text;
        URI uri = URI.create(t);
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("--url " + text + ": expected ws://HOST:PORT");
        }
        return uri;
    }
}
