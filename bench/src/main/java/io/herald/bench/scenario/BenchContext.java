package io.herald.bench.scenario;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import io.herald.bench.proc.Machine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One invocation of the coordinator: where results go, the command line that produced them, and
 * everything it started, stopped in reverse order at the end or by the shutdown hook (Ctrl-C).
 */
public final class BenchContext implements AutoCloseable {
    private final PrintWriter out;
    private final Path resultsDir;
    private final boolean save;
    private final String command;
    private final String runId;
    private final ObjectNode machine;
    private final ObjectNode source;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final Thread hook;
    private boolean closed;

    public BenchContext(PrintWriter out, Path resultsDir, boolean save, String command) {
        this.out = out;
        this.resultsDir = resultsDir;
        this.save = save;
        this.command = command;
        this.runId = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now())
                + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        this.machine = Machine.describe();
        this.source = sourceInfo(root());
        this.hook = new Thread(this::close, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The repository root: -Dherald.bench.root, else derived from the bench jar's location, else the working directory. */
    public static Path root() {
        String prop = System.getProperty("herald.bench.root");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        try {
            Path jar = Path.of(BenchContext.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // bench/target/herald-bench.jar or bench/target/classes
            Path target = jar.getParent();
            if (target != null && target.getFileName().toString().equals("target") && target.getParent() != null
                    && target.getParent().getParent() != null) {
                return target.getParent().getParent().toAbsolutePath().normalize();
            }
        } catch (Exception e) {
            // fall through
        }
        return Path.of("").toAbsolutePath();
    }

    public String command() {
        return command;
    }

    public String runId() {
        return runId;
    }

    public ObjectNode machine() {
        return machine.deepCopy();
    }

    /** Registers something to stop at the end (or on Ctrl-C); returns it. */
    public synchronized <T extends AutoCloseable> T track(T resource) {
        resources.push(resource);
        return resource;
    }

    /** Stops a tracked resource now. */
    public void release(AutoCloseable resource) {
        boolean present;
        synchronized (this) {
            present = resources.remove(resource);
        }
        if (present) {
            closeQuietly(resource);
        }
    }

    /** Prints a result line on stdout and appends it to bench/results/DATE.jsonl. */
    public synchronized void emit(ObjectNode line) {
        line.put("time", Instant.now().toString());
        String text = Json.line(line);
        out.println(text);
        out.flush();
        if (save) {
            try {
                Files.createDirectories(resultsDir);
                String date = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC).format(Instant.now());
                Files.writeString(resultsDir.resolve(date + ".jsonl"), text + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                System.err.println("bench: cannot append to " + resultsDir + ": " + e.getMessage());
            }
        }
    }

    /** The fields every result line starts with ("time" is set when the line is emitted). */
    public ObjectNode envelope(String scenario, String target) {
        ObjectNode line = Json.object();
        line.put("kind", "result");
        line.put("scenario", scenario);
        line.put("target", target);
        line.put("run_id", runId);
        line.put("time", Instant.now().toString());
        line.put("command", command);
        line.set("source", source.deepCopy());
        return line;
    }

    /** The checkout the figures come from: commit, and whether server/ had uncommitted changes. */
    private static ObjectNode sourceInfo(Path root) {
        ObjectNode s = Json.object();
        try {
            String commit = io.herald.bench.target.Processes.run(List.of("git", "-C", root.toString(), "rev-parse", "--short", "HEAD"), null, null, 10).trim();
            String status = io.herald.bench.target.Processes.run(List.of("git", "-C", root.toString(), "status", "--porcelain", "--", "server"), null, null, 10).trim();
            s.put("commit", commit);
            s.put("server_uncommitted_changes", !status.isEmpty());
        } catch (IOException e) {
            s.put("commit", "unknown");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return s;
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            System.err.println("bench: while stopping " + resource + ": " + e);
        }
    }

    @Override
    public void close() {
        List<AutoCloseable> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = List.copyOf(resources);
            resources.clear();
        }
        for (AutoCloseable r : toClose) {
            closeQuietly(r);
        }
        if (Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
    }
}
