package io.herald.bench.target;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts {@code java -jar server/target/herald.jar} on a free loopback port, configured through
 * environment variables, and stops it (SIGTERM by PID) when closed.
 */
public final class HeraldLauncher {
    /**
     * bin/herald's JVM options, from server/jvm.options beside the jar's target/ folder, so the
     * bench measures what runs.
     */
    static List<String> jvmOptionsFor(Path jar) {
        Path file = jar.toAbsolutePath().getParent().getParent().resolve("jvm.options");
        try {
            return Files.readAllLines(file).stream().map(String::trim)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read bin/herald's JVM options at " + file, e);
        }
    }

    /** Variables Herald reads: never inherited from the caller's environment, set explicitly. */
    private static final List<String> SCRUBBED_PREFIXES = List.of("SOCKUDO_", "ADAPTER_", "REDIS_", "NATS_",
            "APP_MANAGER_", "METRICS_", "SSL_", "DATABASE_", "CACHE_", "QUEUE_", "RATE_LIMITER_", "HERALD_");
    private static final List<String> SCRUBBED = List.of("HOST", "PORT", "DEBUG", "ACTIVITY_TIMEOUT", "PONG_TIMEOUT",
            "SHUTDOWN_GRACE_PERIOD", "USER_AUTHENTICATION_TIMEOUT", "WEBSOCKET_MAX_PAYLOAD_KB", "HTTP_MAX_BODY_KB",
            "INSTANCE_PROCESS_ID", "IO_TRANSPORT", "STARTUP_WARM_UP", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS");

    private final Path jar;
    private final String java;
    private final String jdkLabel;
    private final List<String> jvmOpts;
    private String javaVersion;

    /** Nodes of one cluster start in parallel: ask `java -version` once. */
    private synchronized String javaVersion() {
        if (javaVersion == null) {
            javaVersion = Processes.javaVersion(java);
        }
        return javaVersion;
    }

    /**
     * @param jar the shaded server jar
     * @param java the java executable
     * @param jdkLabel what --jdk said ("17", "25" or a path), for the result lines
     * @param extraJvmOpts added after the defaults (--server-jvm-opts)
     */
    public HeraldLauncher(Path jar, String java, String jdkLabel, List<String> extraJvmOpts) {
        this.jar = jar;
        this.java = java;
        this.jdkLabel = jdkLabel;
        List<String> opts = new ArrayList<>(jvmOptionsFor(jar));
        // Extra options that pick a collector replace the default one (the JVM refuses two).
        if (extraJvmOpts.stream().anyMatch(opt -> opt.matches("-XX:\\+Use\\w+GC"))) {
            opts.removeIf(opt -> opt.matches("-XX:\\+Use\\w+GC"));
        }
        opts.addAll(extraJvmOpts);
        this.jvmOpts = List.copyOf(opts);
    }

    /** java of /usr/lib/jvm for "17" or "25"; anything else is taken as a java executable or JDK home. */
    public static String javaFor(String jdk) {
        return switch (jdk) {
            case "17" -> "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";
            case "25" -> "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java";
            default -> Files.isDirectory(Path.of(jdk)) ? Path.of(jdk, "bin", "java").toString() : jdk;
        };
    }

    public List<String> jvmOpts() {
        return jvmOpts;
    }

    /** jcmd of the JDK that runs Herald (the JVM's own version attaches most reliably), else jcmd on the PATH. */
    public String jcmd() {
        Path sibling = Path.of(java).resolveSibling("jcmd");
        return Files.isExecutable(sibling) ? sibling.toString() : "jcmd";
    }

    /** Starts one node with the bench's defaults. */
    public RunningServer start() throws IOException {
        return start("bench-herald", Map.of());
    }

    /**
     * Starts one node.
     *
     * @param nodeName INSTANCE_PROCESS_ID
     * @param extraEnv more configuration (ADAPTER_DRIVER, REDIS_URL...)
     * @throws StartFailure when the process exits or does not answer GET /up within 60 s
     */
    public RunningServer start(String nodeName, Map<String, String> extraEnv) throws IOException {
        return start(nodeName, extraEnv, 0);
    }

    /**
     * Starts one node on {@code port} (0: a free one). Chaos starts a SIGKILLed node again on its
     * old port, as a process manager would.
     */
    public RunningServer start(String nodeName, Map<String, String> extraEnv, int port) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new StartFailure("server jar " + jar + " does not exist (build it: mvn -q -B -DskipTests -pl server -am package)");
        }
        String javaVersion = javaVersion();
        if (port == 0) {
            port = Processes.freePort();
        }
        Path dir = Files.createTempDirectory("herald-bench-server");
        Path log = dir.resolve("herald.log");
        // Run a private copy: a build in the checkout may rewrite server/target/herald.jar meanwhile.
        Path runJar = dir.resolve("herald.jar");
        String jarBuilt = Files.getLastModifiedTime(jar).toInstant().toString();
        Files.copy(jar, runJar);
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOpts);
        command.add("-jar");
        command.add(runJar.toString());
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> SCRUBBED.contains(k) || SCRUBBED_PREFIXES.stream().anyMatch(k::startsWith));
        Map<String, String> config = new LinkedHashMap<>();
        config.put("HOST", "127.0.0.1");
        config.put("PORT", Integer.toString(port));
        config.put("SHUTDOWN_GRACE_PERIOD", "2");
        config.put("INSTANCE_PROCESS_ID", nodeName);
        // Metrics off unless a run asks (fanout --metrics compare sets METRICS_ENABLED through
        // extraEnv), on a port of its own, so that nodes of one run never collide on 9601.
        config.put("METRICS_ENABLED", "false");
        config.put("METRICS_HOST", "127.0.0.1");
        config.put("METRICS_PORT", Integer.toString(Processes.freePort()));
        config.putAll(extraEnv);
        env.putAll(config);
        long started = System.nanoTime();
        Process process = pb.start();
        Runnable stopper = Processes.watchedServer(process, dir);
        // Three JVMs starting together on two busy cores took over 30 s; a bound on failure only.
        long deadline = System.nanoTime() + 60_000_000_000L;
        String up = "http://127.0.0.1:" + port + "/up";
        while (true) {
            if (!process.isAlive()) {
                String tail = Processes.tail(log, 15);
                stopper.run();
                throw new StartFailure("herald node " + nodeName + " exited with status " + process.exitValue()
                        + " during start-up: " + lastMeaningfulLine(tail), tail);
            }
            if (Processes.httpStatus(up) == 200) {
                break;
            }
            if (System.nanoTime() > deadline) {
                String tail = Processes.tail(log, 15);
                stopper.run();
                throw new StartFailure("herald node " + nodeName + " did not answer GET /up within 60 s", tail);
            }
            Processes.sleep(100);
        }
        long readyMillis = (System.nanoTime() - started) / 1_000_000;
        ObjectNode info = Json.object();
        info.put("name", "herald");
        // From the process's start to its first 200 on /up: the JVM's start and the start-up warm-up.
        info.put("ready_ms", readyMillis);
        info.put("jdk", jdkLabel);
        info.put("java_version", javaVersion);
        info.put("jvm_opts", String.join(" ", jvmOpts));
        info.put("jar", jar.toAbsolutePath().normalize().toString());
        info.put("jar_built", jarBuilt);
        if (!extraEnv.isEmpty()) {
            ObjectNode e = info.putObject("env");
            extraEnv.forEach(e::put);
        }
        System.err.println("bench: herald " + nodeName + " up on 127.0.0.1:" + port + " after " + readyMillis + " ms (pid " + process.pid()
                + ", " + javaVersion + ")");
        return new RunningServer("herald", "127.0.0.1", port, List.of(process.pid()), info, stopper);
    }

    private static String lastMeaningfulLine(String tail) {
        String[] lines = tail.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String l = lines[i].trim();
            if (!l.isEmpty() && !l.startsWith("at ") && !l.startsWith("...")) {
                return l;
            }
        }
        return "(empty log)";
    }

    /** The server could not be started; {@link #log()} holds the end of its output. */
    public static final class StartFailure extends IOException {
        private static final long serialVersionUID = 1L;

        private final String log;

        public StartFailure(String message) {
            this(message, "");
        }

        public StartFailure(String message, String log) {
            super(message);
            this.log = log;
        }

        public String log() {
            return log;
        }
    }
}
