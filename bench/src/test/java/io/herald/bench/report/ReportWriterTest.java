package io.herald.bench.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
    private static String line(String target, String run, String time, double dpcs) {
        return "{\"kind\":\"result\",\"scenario\":\"fanout\",\"target\":\"" + target + "\",\"run_id\":\"" + run + "\",\"time\":\"" + time
                + "\",\"command\":\"scripts/bench fanout --target both\",\"params\":{\"subscribers\":1000,\"channels\":10,\"rate\":20.0,"
                + "\"sweep\":false},\"server\":{\"name\":\"" + target + "\"},\"expected\":100,\"delivered\":100,\"lost\":0,"
                + "\"target_deliveries_per_s\":2000.0,\"deliveries_per_cpu_second\":" + dpcs + ",\"latency_ms\":{\"p50\":1.5,\"p99\":3.0},"
                + "\"machine\":{\"nproc\":2,\"mem_total_kb\":24000000,\"cpu_model\":\"Test CPU\",\"kernel\":\"6.1\"}}";
    }

    @Test
    void pairsTheLatestRunComparesToTargetsAndKeepsTheAnalysis(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("2025-01-01.jsonl"), String.join("\n",
                line("herald", "r1", "2025-01-01T00:00:00Z", 1000),
                line("soketi", "r1", "2025-01-01T00:01:00Z", 500),
                line("herald", "r2", "2025-01-01T01:00:00Z", 5000),
                line("soketi", "r2", "2025-01-01T01:01:00Z", 1000),
                "{\"kind\":\"ratio\",\"scenario\":\"fanout\"}") + "\n");
        String previous = "# old\n" + ReportWriter.ANALYSIS_BEGIN + "\nMy analysis.\n" + ReportWriter.ANALYSIS_END + "\n";
        String md = new ReportWriter(ResultSet.load(dir), previous).write();
        // The target row takes the latest run that has both servers (r2), not r1.
        assertTrue(md.lines().anyMatch(l -> l.startsWith("| Deliveries per server CPU-second, 1000 subscribers over 10 channels")
                && l.endsWith("| >= 4x soketi | 5,000 | 1,000 | 5.00x | met |")), md);
        assertTrue(md.contains("My analysis."), md);
        assertTrue(md.contains("| deliveries per server CPU-second | 5,000 | 1,000 | 5.00 | higher |"), md);
        assertTrue(md.contains("Test CPU"), md);
        assertTrue(md.contains("not measured yet; run `scripts/bench idle --target both --connections 15000`"), md);
    }
}
