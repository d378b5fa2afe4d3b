package io.herald.bench.target;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import io.herald.bench.limit.LoopbackLimitServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the {@link LoopbackLimitServer} from the bench's own jar, with the JDK and JVM options
 * Herald runs with, on a free loopback port; stops it by PID when closed.
 */
public final class LimitLauncher {
    private final String java;
    private final List<String> jvmOpts;

    /** {@code herald}: the launcher whose JDK and JVM options the limit server copies. */
    public LimitLauncher(HeraldLauncher herald, String java) {
        this.java = java;
        this.jvmOpts = herald.jvmOpts();
    }

    public RunningServer start() throws IOException {
        int port = Processes.freePort();
        Path dir = Files.createTempDirectory("herald-bench-limit");
        Path log = dir.resolve("limit.log");
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOpts);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(LoopbackLimitServer.class.getName());
        command.add(Integer.toString(port));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        Runnable stopper = Processes.watchedServer(process, dir);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (Processes.httpStatus("http://127.0.0.1:" + port + "/up") != 200) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String tail = Processes.tail(log, 15);
                stopper.run();
                throw new HeraldLauncher.StartFailure("the loopback limit server did not start: " + tail, tail);
            }
            Processes.sleep(100);
        }
        ObjectNode info = Json.object();
        info.put("name", "limit");
        info.put("what", "bench's minimal Netty writer (LoopbackLimitServer), Herald's JDK and JVM options");
        info.put("jvm_opts", String.join(" ", jvmOpts));
        System.err.println("bench: loopback limit server up on 127.0.0.1:" + port + " (pid " + process.pid() + ")");
        return new RunningServer("limit", "127.0.0.1", port, List.of(process.pid()), info, stopper);
    }
}
