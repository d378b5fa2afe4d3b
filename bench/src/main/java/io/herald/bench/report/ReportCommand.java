package io.herald.bench.report;

import io.herald.bench.scenario.BenchContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Regenerates docs/benchmarks.md from bench/results/*.jsonl.",
                "%nThe machine, the JDKs, for each scenario the latest Herald and soketi figures side by side with the "
                        + "command that produced them and their ratio, and the targets with met / not met. The text between "
                        + "the analysis markers is kept."})
public final class ReportCommand implements Callable<Integer> {
    @Option(names = "--results-dir", paramLabel = "DIR", description = "Result lines to read (default: bench/results).")
    Path resultsDir;

    @Option(names = "--output", paramLabel = "FILE", description = "Markdown file to write (default: docs/benchmarks.md).")
    Path output;

    @Override
    public Integer call() throws Exception {
        Path root = BenchContext.root();
        Path dir = resultsDir != null ? resultsDir : root.resolve("bench/results");
        Path file = output != null ? output : root.resolve("docs/benchmarks.md");
        ResultSet results = ResultSet.load(dir);
        String previous = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        String markdown = new ReportWriter(results, previous).write();
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, markdown, StandardCharsets.UTF_8);
        System.err.println("bench: wrote " + file + " from " + results.size() + " result line(s) in " + dir);
        return 0;
    }
}
