package io.herald.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The whole tool, small: the coordinator starts the real server jar (built by the reactor before
 * this module), one worker process holds 20 subscribers over 2 channels, 20 publishes/s for 2 s go
 * through the signed HTTP API, and every delivery must be accounted for. No timing thresholds.
 */
class BenchFunctionalTest {
    @Test
    @Timeout(90)
    void fanoutDeliversEverythingAndPrintsOneResultLine(@TempDir Path results) throws Exception {
        Path jar = BenchRoot.serverJar();
        assertTrue(Files.isRegularFile(jar), "the server jar must be built first: " + jar);
        StringWriter out = new StringWriter();
        CommandLine cl = BenchMain.commandLine();
        cl.setOut(new PrintWriter(out, true));
        int status = cl.execute("fanout", "--target", "herald", "--server-jar", jar.toString(),
                "--subscribers", "20", "--channels", "2", "--rate", "20", "--duration", "2", "--warmup", "0.5",
                "--worker-jvm-opts", "-Xmx128m -XX:+UseSerialGC", "--results-dir", results.toString());
        assertEquals(0, status, "exit status; output: " + out);

        List<String> lines = out.toString().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "one JSON line per scenario and target: " + out);
        JsonNode line = Json.parse(lines.get(0));
        assertEquals("result", line.path("kind").asText());
        assertEquals("fanout", line.path("scenario").asText());
        assertEquals("herald", line.path("target").asText());
        assertFalse(line.has("error"), line.toString());
        assertEquals(20, line.path("subscribed").asInt(), line.toString());
        assertEquals(40, line.path("publishes").asInt(), line.toString());
        assertEquals(0, line.path("publish_errors").asInt(), line.toString());
        assertEquals(400, line.path("expected").asLong(), line.toString());
        assertEquals(400, line.path("delivered").asLong(), line.toString());
        assertEquals(0, line.path("lost").asLong(), line.toString());
        assertEquals(0, line.path("duplicates").asLong(), line.toString());
        for (String p : List.of("p50", "p90", "p99", "p99_9", "max")) {
            assertTrue(line.path("latency_ms").path(p).isNumber(), "latency_ms." + p + " in " + line);
        }
        assertEquals(400, line.path("latency_ms").path("count").asLong());
        for (String f : List.of("deliveries_per_s", "server_cpu_s", "server_rss_kb", "bench_cpu_s")) {
            assertTrue(line.path(f).isNumber(), f + " in " + line);
        }
        assertTrue(line.has("deliveries_per_cpu_second"), line.toString());
        assertTrue(line.path("server").path("pids").size() == 1, line.toString());
        assertTrue(line.path("command").asText().contains("fanout --target herald"), line.toString());
        assertTrue(line.path("machine").path("nproc").asInt() >= 1, line.toString());

        // The same line was appended to the results.
        try (var files = Files.list(results)) {
            List<Path> jsonl = files.toList();
            assertEquals(1, jsonl.size());
            assertEquals(lines, Files.readAllLines(jsonl.get(0)));
        }
        // The server the bench started is gone.
        long pid = line.path("server").path("pids").get(0).asLong();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "server pid " + pid + " still running");
    }

    /**
     * Cluster mode, small: two Herald nodes over the NATS server scripts/test runs, subscribers on
     * node 2, publishes to node 1, then the one-node baseline; every delivery crosses the bus.
     */
    @Test
    @Timeout(120)
    void clusterDeliversEverythingThroughTheBusAndMeasuresTheBaseline(@TempDir Path results) throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cl = BenchMain.commandLine();
        cl.setOut(new PrintWriter(out, true));
        int status = cl.execute("cluster", "--adapter", "nats", "--bus-url", "nats://127.0.0.1:4222", "--nodes", "2",
                "--server-jar", BenchRoot.serverJar().toString(), "--subscribers", "20", "--channels", "2", "--rate", "20",
                "--duration", "2", "--warmup", "0.5", "--worker-jvm-opts", "-Xmx128m -XX:+UseSerialGC",
                "--results-dir", results.toString());
        assertEquals(0, status, "exit status; output: " + out);
        JsonNode line = Json.parse(out.toString().lines().filter(l -> !l.isBlank()).findFirst().orElseThrow());
        assertEquals("cluster", line.path("scenario").asText());
        assertFalse(line.has("error"), line.toString());
        assertEquals(2, line.path("server").path("pids").size(), line.toString());
        assertEquals(400, line.path("delivered").asLong(), line.toString());
        assertEquals(0, line.path("lost").asLong(), line.toString());
        assertEquals(400, line.path("single_node").path("delivered").asLong(), line.toString());
        assertTrue(line.path("extra_p50_ms").isNumber(), line.toString());
        for (JsonNode pid : line.path("server").path("pids")) {
            assertFalse(ProcessHandle.of(pid.asLong()).map(ProcessHandle::isAlive).orElse(false), "node pid " + pid + " still running");
        }
    }

    /**
     * The webhooks scenario, small: two senders, 50 client events/s for 2 s; every event arrives
     * at the bench's receiver as one client_event webhook, once.
     */
    @Test
    @Timeout(90)
    void webhooksArriveOnceEachAtTheReceiver(@TempDir Path results) throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cl = BenchMain.commandLine();
        cl.setOut(new PrintWriter(out, true));
        int status = cl.execute("webhooks", "--target", "herald", "--server-jar", BenchRoot.serverJar().toString(),
                "--senders", "2", "--rate", "50", "--duration", "2", "--warmup", "0.5", "--results-dir", results.toString());
        assertEquals(0, status, "exit status; output: " + out);
        JsonNode line = Json.parse(out.toString().lines().filter(l -> !l.isBlank()).findFirst().orElseThrow());
        assertEquals("webhooks", line.path("scenario").asText());
        assertFalse(line.has("error"), line.toString());
        assertEquals(100, line.path("sent").asLong(), line.toString());
        assertEquals(100, line.path("received").asLong(), line.toString());
        assertEquals(0, line.path("lost").asLong(), line.toString());
        assertEquals(0, line.path("duplicates").asLong(), line.toString());
        assertEquals(100, line.path("latency_ms").path("count").asLong(), line.toString());
        for (String f : List.of("webhooks_per_s", "server_cpu_s", "server_user_cpu_s", "server_system_cpu_s", "bench_cpu_s")) {
            assertTrue(line.path(f).isNumber(), f + " in " + line);
        }
    }

    @Test
    void refusesTargetsOutsideLoopback() {
        StringWriter out = new StringWriter();
        CommandLine cl = BenchMain.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(new StringWriter(), true));
        int status = cl.execute("fanout", "--url", "ws://10.1.2.3:6001", "--no-save", "--subscribers", "1", "--duration", "1");
        assertEquals(1, status);
        JsonNode line = Json.parse(out.toString().lines().findFirst().orElseThrow());
        assertTrue(line.path("error").asText().contains("only loopback"), line.toString());
    }

    /** Where the repository is: surefire passes -Dherald.bench.root. */
    static final class BenchRoot {
        static Path serverJar() {
            return Path.of(System.getProperty("herald.bench.root", "..")).resolve("server/target/herald.jar").toAbsolutePath().normalize();
        }
    }
}
