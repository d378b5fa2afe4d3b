package io.herald.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The soak and chaos scenarios, tiny, against the real server jar: each must run to the end and
 * print one result line with its figures. Zero loss and zero ghosts are the figures these modes
 * measure, not something this test asserts.
 */
class SoakChaosFunctionalTest {
    private static JsonNode run(Path results, String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = BenchMain.commandLine();
        cl.setOut(new PrintWriter(out, true));
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--server-jar", BenchFunctionalTest.BenchRoot.serverJar().toString(),
                "--worker-jvm-opts", "-Xmx128m -XX:+UseSerialGC", "--results-dir", results.toString()));
        int status = cl.execute(all.toArray(String[]::new));
        assertEquals(0, status, "exit status; output: " + out);
        List<String> lines = out.toString().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), out.toString());
        return Json.parse(lines.get(0));
    }

    private static void assertGone(JsonNode pid) {
        assertFalse(ProcessHandle.of(pid.asLong()).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " still running");
    }

    /** 200 connections with churn and presence for about 15 s, sampled every 4 s. */
    @Test
    @Timeout(120)
    void soakSamplesTheServerAndChecksEveryDelivery(@TempDir Path results) {
        JsonNode line = run(results, "soak", "--target", "herald", "--connections", "200", "--channels", "5",
                "--presence-members", "40", "--presence-channels", "4", "--rate", "20", "--churn", "5", "--presence-churn", "2",
                "--warmup", "2", "--duration", "12", "--interval", "4");
        assertEquals("soak", line.path("scenario").asText());
        assertFalse(line.has("error"), line.toString());
        assertEquals(200, line.path("subscribed").asInt(), line.toString());
        JsonNode samples = line.path("samples");
        assertTrue(samples.size() >= 4, line.toString());
        for (JsonNode s : samples) {
            assertTrue(s.path("heap_after_gc_kb").asDouble() > 0, "heap after GC read with jcmd: " + s);
            assertTrue(s.path("rss_kb").asDouble() > 0, s.toString());
            assertTrue(s.path("fds").asDouble() > 200, "the 200 connections are open files: " + s);
        }
        for (String series : List.of("heap_after_gc_kb", "rss_kb", "fds")) {
            JsonNode s = line.path("series").path(series);
            assertEquals(samples.size(), s.path("samples").asInt(), series + " in " + line);
            for (String f : List.of("first", "last", "min", "max", "slope_per_hour", "tolerance")) {
                assertTrue(s.path(f).isNumber(), series + "." + f + " in " + line);
            }
            assertTrue(s.path("flat").isBoolean(), series + ".flat in " + line);
        }
        assertTrue(List.of("flat", "not flat").contains(line.path("verdict").asText()), line.toString());
        assertTrue(line.path("publishes").asLong() > 0, line.toString());
        assertTrue(line.path("expected").asLong() > 0, line.toString());
        assertEquals(line.path("expected").asLong() - line.path("delivered").asLong(), line.path("lost").asLong());
        assertTrue(line.path("churn_closes").asLong() > 0, "churn happened: " + line);
        assertTrue(line.path("presence").path("converged").isBoolean(), line.toString());
        assertTrue(line.path("latency_ms").path("p99").isNumber(), line.toString());
        assertGone(line.path("server").path("pids").get(0));
    }

    /** Three nodes on a private Redis, 90 connections, every fault with short waits (at most 3 s for convergence). */
    @Test
    @Timeout(240)
    void chaosRecordsEachFaultAndStopsEverythingItStarted(@TempDir Path results) {
        JsonNode line = run(results, "chaos", "--adapter", "redis", "--connections", "90", "--channels", "3",
                "--presence-members", "20", "--presence-channels", "2", "--rate", "20", "--churn", "3", "--presence-churn", "2",
                "--baseline", "1", "--outage", "1", "--stop", "2", "--recovery", "1", "--converge-timeout", "3");
        assertEquals("chaos", line.path("scenario").asText());
        assertFalse(line.has("error"), line.toString());
        assertEquals(90, line.path("subscribed").asInt(), line.toString());
        JsonNode faults = line.path("faults");
        assertEquals(3, faults.size(), line.toString());
        List<String> kinds = List.of("backend", "kill", "stop");
        for (int i = 0; i < 3; i++) {
            JsonNode f = faults.get(i);
            assertEquals(kinds.get(i), f.path("fault").asText(), f.toString());
            assertTrue(f.path("what").asText().length() > 10, f.toString());
            for (String field : List.of("publishes", "accepted", "expected", "delivered", "lost", "doubled", "at_s", "down_s")) {
                assertTrue(f.path(field).isNumber() && f.path(field).asDouble() >= 0, field + " in " + f);
            }
            assertEquals(f.path("expected").asLong() - f.path("delivered").asLong(), f.path("lost").asLong(), f.toString());
            JsonNode presence = f.path("presence");
            assertTrue(presence.path("converged").isBoolean(), f.toString());
            assertTrue(presence.path("ghosts").isInt() && presence.path("missing").isInt(), f.toString());
            assertTrue(presence.path("converged").asBoolean() ? presence.path("converge_s").isNumber()
                    : presence.path("gave_up_after_s").isNumber(), f.toString());
        }
        assertTrue(faults.get(0).path("accepted_during_outage").isNumber(), line.toString());
        assertTrue(line.path("baseline").path("expected").asLong() > 0, line.toString());
        assertTrue(line.path("final_presence").path("converged").isBoolean(), line.toString());
        assertEquals(4, line.path("pids").size(), "three nodes and the restarted one: " + line);
        assertEquals(2, line.path("bus_pids").size(), "the bus and its restart: " + line);
        line.path("pids").forEach(SoakChaosFunctionalTest::assertGone);
        line.path("bus_pids").forEach(SoakChaosFunctionalTest::assertGone);
    }
}
