package io.herald.bench.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
    /** A warm fan-out at 20,000 deliveries/s: 100,000 deliveries using {@code cpu} CPU-seconds. */
    private static String line(String target, String run, String time, double cpu) {
        return "{\"kind\":\"result\",\"scenario\":\"fanout\",\"target\":\"" + target + "\",\"run_id\":\"" + run + "\",\"time\":\"" + time
                + "\",\"command\":\"scripts/bench fanout --target both\",\"params\":{\"subscribers\":1000,\"channels\":10,\"rate\":200.0,"
                + "\"warmup_s\":20.0,\"sweep\":false},\"server\":{\"name\":\"" + target + "\"},\"expected\":100000,\"delivered\":100000,\"lost\":0,"
                + "\"target_deliveries_per_s\":20000.0,\"server_cpu_s\":" + cpu + ",\"deliveries_per_cpu_second\":" + (100000 / cpu)
                + ",\"latency_ms\":{\"p50\":1.5,\"p99\":3.0},"
                + "\"machine\":{\"nproc\":2,\"mem_total_kb\":24000000,\"cpu_model\":\"Test CPU\",\"kernel\":\"6.1\"}}";
    }

    @Test
    void pairsTheLatestRunComparesToTargetsAndKeepsTheAnalysis(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("2025-01-01.jsonl"), String.join("\n",
                line("herald", "r1", "2025-01-01T00:00:00Z", 1),
                line("soketi", "r1", "2025-01-01T00:01:00Z", 2),
                line("herald", "r2", "2025-01-01T01:00:00Z", 0.2),
                line("soketi", "r2", "2025-01-01T01:01:00Z", 1),
                "{\"kind\":\"ratio\",\"scenario\":\"fanout\"}") + "\n");
        String previous = "# old\n" + ReportWriter.ANALYSIS_BEGIN + "\nMy analysis.\n" + ReportWriter.ANALYSIS_END + "\n";
        String md = new ReportWriter(ResultSet.load(dir), previous).write();
        // The target row takes the latest run that has both servers (r2), not r1.
        assertTrue(md.lines().anyMatch(l -> l.startsWith("| Total CPU per delivery at 20,000 deliveries/s")
                && l.endsWith("| <= 1/2 of soketi's | 2 | 10 | 0.20x | met |")), md);
        assertTrue(md.contains("My analysis."), md);
        assertTrue(md.contains("| deliveries per server CPU-second | 500,000 | 100,000 | 5.00 | higher |"), md);
        assertTrue(md.contains("Test CPU"), md);
        assertTrue(md.contains("not measured yet; run `scripts/bench idle --target both --connections 15000`"), md);
    }

    @Test
    void aHeraldOnIoUringGetsItsOwnTargetRowsBesideTheSameRunsSoketi(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("2025-01-01.jsonl"), String.join("\n",
                line("herald", "r1", "2025-01-01T00:00:00Z", 0.6),
                line("herald+io_uring", "r1", "2025-01-01T00:01:00Z", 0.4),
                line("soketi", "r1", "2025-01-01T00:02:00Z", 1)) + "\n");
        String md = new ReportWriter(ResultSet.load(dir), "").write();
        assertTrue(md.lines().anyMatch(l -> l.startsWith("| Total CPU per delivery at 20,000 deliveries/s (µs) |")
                && l.endsWith("| 6 | 10 | 0.60x | **not met** |")), md);
        assertTrue(md.lines().anyMatch(l -> l.startsWith("| Total CPU per delivery at 20,000 deliveries/s (µs), Herald on io_uring |")
                && l.endsWith("| 4 | 10 | 0.40x | met |")), md);
        // No io_uring run of the connect scenario: no io_uring row for it.
        assertTrue(md.lines().noneMatch(l -> l.startsWith("| CPU per connect + subscribe") && l.contains("io_uring")), md);
    }

    @Test
    void aUserCpuOfZeroOnABusyServerIsNoFigure(@TempDir Path dir) throws Exception {
        String userAndSystem = "\"server_cpu_s\":";
        Files.writeString(dir.resolve("2025-01-01.jsonl"), String.join("\n",
                line("herald", "r1", "2025-01-01T00:00:00Z", 0.6).replace(userAndSystem,
                        "\"server_user_cpu_s\":0.2,\"server_system_cpu_s\":0.4," + userAndSystem),
                line("herald+io_uring", "r1", "2025-01-01T00:01:00Z", 0.4).replace(userAndSystem,
                        "\"server_user_cpu_s\":0.0,\"server_system_cpu_s\":0.4," + userAndSystem),
                line("soketi", "r1", "2025-01-01T00:02:00Z", 1).replace(userAndSystem,
                        "\"server_user_cpu_s\":0.5,\"server_system_cpu_s\":0.5," + userAndSystem)) + "\n");
        String md = new ReportWriter(ResultSet.load(dir), "").write();
        String userRow = "| User CPU per delivery at 20,000 deliveries/s (µs)";
        assertTrue(md.lines().anyMatch(l -> l.startsWith(userRow + " |") && l.endsWith("| 2 | 5 | 0.40x | **not met** |")), md);
        assertTrue(md.lines().anyMatch(l -> l.startsWith(userRow + ", Herald on io_uring |")
                && l.endsWith("| - | 5 | - | not measured (no usable figure in Herald's result) |")), md);
    }

    /** A just-started server's fan-out (--warmup 0) with this p99. */
    private static String coldLine(String target, String run, String time, double cpu, double p99) {
        return line(target, run, time, cpu).replace("\"warmup_s\":20.0", "\"warmup_s\":0.0")
                .replace("\"p99\":3.0", "\"p99\":" + p99);
    }

    @Test
    void aHeraldWithoutStartUpWarmUpGetsItsOwnColdStartRows(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("2025-01-01.jsonl"), String.join("\n",
                line("herald", "w1", "2025-01-01T00:00:00Z", 0.6),
                line("soketi", "w1", "2025-01-01T00:01:00Z", 1),
                coldLine("herald", "c1", "2025-01-01T01:00:00Z", 0.5, 4.5),
                coldLine("herald+no_warm_up", "c1", "2025-01-01T01:01:00Z", 2, 30),
                coldLine("soketi", "c1", "2025-01-01T01:02:00Z", 1, 5)) + "\n");
        String md = new ReportWriter(ResultSet.load(dir), "").write();
        String cpuRow = "| First 10 s of a just-started node at 20,000 deliveries/s: deliveries per server CPU-second";
        assertTrue(md.lines().anyMatch(l -> l.startsWith(cpuRow + " |") && l.endsWith("| 2.00x | met |")), md);
        assertTrue(md.lines().anyMatch(l -> l.startsWith(cpuRow + ", Herald without start-up warm-up |")
                && l.endsWith("| 0.50x | **not met** |")), md);
        String p99Row = "| First 10 s of a just-started node: p99 over its warm p99";
        assertTrue(md.lines().anyMatch(l -> l.startsWith(p99Row + " |") && l.endsWith("| 1.5x | met |")), md);
        assertTrue(md.lines().anyMatch(l -> l.startsWith(p99Row + ", Herald without start-up warm-up |")
                && l.endsWith("| 10.0x | **not met** |")), md);
    }

    @Test
    void rendersTheSoakAndChaosSectionsFromTheirLatestRuns(@TempDir Path dir) throws Exception {
        String machine = "\"machine\":{\"nproc\":2,\"mem_total_kb\":24000000,\"cpu_model\":\"Test CPU\",\"kernel\":\"6.1\"}";
        String series = "{\"samples\":5,\"first\":1000,\"last\":1100,\"min\":990,\"max\":1100,\"slope_per_hour\":240,"
                + "\"growth\":120,\"tolerance\":8192,\"flat\":true}";
        String soak = "{\"kind\":\"result\",\"scenario\":\"soak\",\"target\":\"herald\",\"run_id\":\"s1\",\"time\":\"2025-01-02T00:00:00Z\","
                + "\"command\":\"scripts/bench soak --duration 120\",\"params\":{\"connections\":19000,\"rate\":10,\"churn_per_s\":10,"
                + "\"presence_churn_per_s\":2,\"duration_s\":120},\"server\":{\"name\":\"herald\",\"jdk\":\"17\"},"
                + "\"verdict\":\"flat\",\"expected\":5000,\"delivered\":4998,\"lost\":2,\"duplicates\":0,\"sessions_checked\":19100,"
                + "\"churn_closes\":1200,\"dropped_by_server\":0,\"publishes\":1200,\"failed\":0,"
                + "\"presence\":{\"converged\":true,\"converge_s\":0.1,\"ghosts\":0,\"missing\":0},"
                + "\"series\":{\"heap_after_gc_kb\":" + series + ",\"rss_kb\":" + series + ",\"fds\":" + series + "},"
                + "\"samples\":[{\"t_s\":0,\"heap_after_gc_kb\":1000,\"rss_kb\":2000,\"fds\":19050}]," + machine + "}";
        String chaos = "{\"kind\":\"result\",\"scenario\":\"chaos\",\"target\":\"herald\",\"run_id\":\"c1\",\"time\":\"2025-01-02T01:00:00Z\","
                + "\"command\":\"scripts/bench chaos --adapter nats\",\"params\":{\"adapter\":\"nats\",\"nodes\":3,\"connections\":3000,"
                + "\"presence_members\":200,\"rate\":20},\"baseline\":{\"accepted\":200,\"failed\":0,\"expected\":6000,\"lost\":0,"
                + "\"doubled\":0},\"faults\":[{\"fault\":\"backend\",\"what\":\"nats-server SIGKILLed\",\"accepted\":300,\"failed\":0,"
                + "\"expected\":9000,\"lost\":0,\"doubled\":1,\"expected_not_promised\":400,\"lost_not_promised\":120,"
                + "\"presence\":{\"converged\":false,\"gave_up_after_s\":30.2,\"ghosts\":3,\"missing\":0,"
                + "\"examples\":[\"ghost u4-0 listed by node 2 (roster) in presence-chaos-0\"]}},{\"fault\":\"kill\",\"what\":\"node 2 SIGKILLed\","
                + "\"accepted\":250,\"failed\":40,\"failed_by_status\":{\"connection\":40},\"expected\":7000,\"lost\":5,\"doubled\":0,"
                + "\"presence\":{\"converged\":true,\"converge_s\":1.5,\"ghosts\":0,\"missing\":0}}],"
                + "\"final_presence\":{\"converged\":true,\"converge_s\":0.2,\"ghosts\":0,\"missing\":0},\"expected\":22000,\"lost\":5,"
                + "\"doubled\":1,\"expected_not_promised\":400,\"lost_not_promised\":120," + machine + "}";
        Files.writeString(dir.resolve("2025-01-02.jsonl"), soak + "\n" + chaos + "\n");
        String md = new ReportWriter(ResultSet.load(dir), "").write();
        assertTrue(md.contains("## Soak"), md);
        assertTrue(md.contains("### Herald (JDK 17): 19,000 connections, 10 publishes/s, churn 10/s, presence churn 2/s, 2 min"), md);
        assertTrue(md.contains("**Short run (120 s measured)"), md);
        assertTrue(md.contains("Verdict: **flat**; deliveries expected 5,000, lost **2**, doubled 0"), md);
        assertTrue(md.contains("| heap after GC (KB) | 1,000 | 1,100 | 990 | 1,100 | 240 | 120 | 8,192 | yes |"), md);
        assertTrue(md.contains("## Chaos"), md);
        assertTrue(md.contains("### nats: 3 nodes, 3,000 connections (200 presence members), 20 publishes/s"), md);
        assertTrue(md.contains("| backend | nats-server SIGKILLed | 300 / 0 | 9,000 | 0 | 1 | 400 / 120 | **not within 30.200** | 3 | 0 |"), md);
        assertTrue(md.contains("| kill | node 2 SIGKILLed | 250 / 40 ({connection:40}) | 7,000 | 5 | 0 | - | 1.500 | 0 | 0 |"), md);
        assertTrue(md.contains("- backend: ghost u4-0 listed by node 2 (roster) in presence-chaos-0"), md);
        // Not in the generic section, and the redis run is asked for.
        assertTrue(!md.contains("### soak") && !md.contains("### chaos"), md);
        assertTrue(md.contains("redis"), md);
    }
}
