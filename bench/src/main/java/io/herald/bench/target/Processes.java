package io.herald.bench.target;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Small helpers for the processes the bench starts: free ports, readiness, stopping by PID. */
public final class Processes {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Processes() {}

    /** A port free on 127.0.0.1 right now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port on 127.0.0.1", e);
        }
    }

    /** HTTP status of GET url, or -1 if nothing answers. */
    public static int httpStatus(String url) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build();
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** SIGTERM, wait up to {@code graceSeconds}, then SIGKILL. Only for processes this bench started. */
    public static void stop(ProcessHandle handle, int graceSeconds) {
        if (!handle.isAlive()) {
            return;
        }
        handle.destroy();
        try {
            // A process left stopped (chaos: SIGSTOP) would hold SIGTERM until continued.
            signal(handle.pid(), "CONT");
        } catch (IOException e) {
            // gone meanwhile
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            handle.onExit().get(graceSeconds, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (handle.isAlive()) {
                System.err.println("bench: pid " + handle.pid() + " still alive " + graceSeconds + " s after SIGTERM: killing it");
                handle.destroyForcibly();
            }
        }
    }

    /**
     * Sends {@code signal} (KILL, STOP, CONT...) to {@code pid} with kill(1). Only for processes this
     * bench started: the chaos scenario kills and pauses its own nodes and bus this way.
     */
    public static void signal(long pid, String signal) throws IOException, InterruptedException {
        if (!signal.matches("[A-Z]+")) {
            throw new IllegalArgumentException("signal name expected, not " + signal);
        }
        run(List.of("kill", "-s", signal, Long.toString(pid)), null, null, 10);
    }

    /** SIGKILL, then waits (up to 10 s) until the process is gone, so that its port is free again. */
    public static void kill(ProcessHandle handle) {
        handle.destroyForcibly();
        try {
            handle.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("pid " + handle.pid() + " still alive 10 s after SIGKILL", e);
        }
    }

    /**
     * A watchdog that sends SIGTERM to {@code serverPid} if this coordinator dies without stopping
     * it (kill -9, crash). It exits by itself once either process is gone.
     */
    public static Process watchdog(long serverPid) {
        long self = ProcessHandle.current().pid();
        // SIGCONT after SIGTERM: the chaos scenario may have left the process stopped (SIGSTOP).
        String script = "while kill -0 $1 2>/dev/null && kill -0 $2 2>/dev/null; do sleep 1; done; "
                + "if ! kill -0 $1 2>/dev/null; then kill -TERM $2 2>/dev/null; kill -CONT $2 2>/dev/null; fi; true";
        try {
            return new ProcessBuilder("bash", "-c", script, "bench-watchdog", Long.toString(self), Long.toString(serverPid))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Watches a server the bench started in {@code dir} (see {@link #watchdog}) and returns what
     * stops it: SIGTERM by PID with a 15 s grace, then the watchdog and the folder go.
     */
    public static Runnable watchedServer(Process process, Path dir) {
        Process watchdog = watchdog(process.pid());
        return () -> {
            stop(process.toHandle(), 15);
            if (watchdog != null) {
                watchdog.destroy();
            }
            deleteTree(dir);
        };
    }

    /** The last {@code lines} lines of a log file (for error messages). */
    public static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Runs a command to completion (bounded), returns its combined output; throws on failure. */
    public static String run(List<String> command, Path dir, java.util.Map<String, String> env, int timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir == null ? null : dir.toFile()).redirectErrorStream(true);
        if (env != null) {
            pb.environment().putAll(env);
        }
        Path out = Files.createTempFile("bench-cmd", ".log");
        try {
            pb.redirectOutput(out.toFile());
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                stop(p.toHandle(), 5);
                throw new IOException(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s:\n" + tail(out, 20));
            }
            String output = Files.readString(out);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + "):\n" + tail(out, 30));
            }
            return output;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** First line of `java -version` of the given java executable ("openjdk version "17.0.15" ..."). */
    public static String javaVersion(String java) {
        try {
            String out = run(List.of(java, "-XshowSettings:properties", "-version"), null, null, 30);
            String vendor = "";
            String version = "";
            for (String line : out.split("\n")) {
                String t = line.trim();
                if (t.startsWith("java.runtime.version = ")) {
                    version = t.substring("java.runtime.version = ".length());
                } else if (t.startsWith("java.vendor = ")) {
                    vendor = t.substring("java.vendor = ".length());
                }
            }
            return (vendor + " " + version).trim();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
