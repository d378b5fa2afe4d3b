package io.herald.bench.coord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import io.herald.bench.target.Processes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** One worker JVM ({@code io.herald.bench.worker.Worker}) and its JSON-lines control channel. */
public final class WorkerProcess implements AutoCloseable {
    private static final String EOF = "\u0000eof";

    private final int index;
    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private WorkerProcess(int index, Process process) {
        this.index = index;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // process gone
            } finally {
                lines.add(EOF);
            }
        }, "bench-worker-" + index + "-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts worker {@code index} with {@code java -cp classPath io.herald.bench.worker.Worker}.
     *
     * @param jvmOpts e.g. -Xmx512m
     */
    public static WorkerProcess start(int index, String java, String classPath, List<String> jvmOpts) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOpts);
        command.add("-cp");
        command.add(classPath);
        command.add("io.herald.bench.worker.Worker");
        command.add(Integer.toString(index));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        return new WorkerProcess(index, pb.start());
    }

    public int index() {
        return index;
    }

    public long pid() {
        return process.pid();
    }

    /** Sends a command without waiting for its answer. */
    public synchronized void send(ObjectNode command) throws IOException {
        stdin.write(Json.line(command));
        stdin.write('\n');
        stdin.flush();
    }

    /** Waits for the answer to the last command sent. */
    public JsonNode receive(long timeoutMillis) throws IOException {
        String line;
        try {
            line = lines.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for worker " + index);
        }
        if (line == null) {
            throw new IOException("worker " + index + " (pid " + process.pid() + ") did not answer within " + timeoutMillis + " ms");
        }
        if (line.equals(EOF)) {
            lines.add(EOF);
            throw new IOException("worker " + index + " (pid " + process.pid() + ") exited" + exitStatus());
        }
        JsonNode reply = Json.parse(line);
        if ("error".equals(reply.path("type").asText())) {
            throw new IOException("worker " + index + ": " + reply.path("error").asText());
        }
        return reply;
    }

    public JsonNode request(ObjectNode command, long timeoutMillis) throws IOException {
        send(command);
        return receive(timeoutMillis);
    }

    private String exitStatus() {
        try {
            if (process.waitFor(2, TimeUnit.SECONDS)) {
                return " with status " + process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "";
    }

    /** Asks the worker to exit (it closes its connections first); does not wait. */
    public void requestExit() {
        if (process.isAlive()) {
            try {
                ObjectNode exit = Json.object();
                exit.put("cmd", "exit");
                send(exit);
                stdin.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }

    /** Asks the worker to exit, then makes sure it did (SIGTERM, then SIGKILL after 15 s). */
    @Override
    public void close() {
        requestExit();
        if (process.isAlive()) {
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    Processes.stop(process.toHandle(), 5);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                Processes.stop(process.toHandle(), 5);
            }
        }
    }
}
