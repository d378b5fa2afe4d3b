package io.herald.bench;

import io.herald.bench.report.ReportCommand;
import io.herald.bench.scenario.ChaosCommand;
import io.herald.bench.scenario.ClusterCommand;
import io.herald.bench.scenario.FanoutCommand;
import io.herald.bench.scenario.IdleCommand;
import io.herald.bench.scenario.PublishCommand;
import io.herald.bench.scenario.SoakCommand;
import io.herald.bench.scenario.WebhooksCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code scripts/bench}: the coordinator. Each scenario starts the target server(s) unless --url is
 * given, spreads the subscriber connections over worker processes, publishes through the signed
 * HTTP API, prints one JSON line per target on stdout (appended to bench/results/DATE.jsonl too)
 * and stops what it started. Progress goes to stderr.
 */
@Command(name = "scripts/bench", mixinStandardHelpOptions = true, version = "herald-bench 0.1.0",
        subcommands = {IdleCommand.class, FanoutCommand.class, PublishCommand.class, ClusterCommand.class, WebhooksCommand.class,
                SoakCommand.class, ChaosCommand.class, ReportCommand.class},
        description = {"Load generator for Pusher-protocol servers (Herald, soketi, or any server on a loopback --url).",
                "Examples:",
                "  scripts/bench fanout --target both --subscribers 1000 --channels 10 --rate 20 --duration 10",
                "  scripts/bench fanout --target both --sweep",
                "  scripts/bench idle --target both --connections 15000",
                "  scripts/bench publish --target both --subscribers 0 --duration 10",
                "  scripts/bench cluster --adapter redis",
                "  scripts/bench soak                    # 19,000 connections with churn for 30 minutes",
                "  scripts/bench chaos --adapter redis   # restart the bus, SIGKILL a node, SIGSTOP a node, under load",
                "  scripts/bench report          # regenerate docs/benchmarks.md from bench/results/*.jsonl"})
public final class BenchMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (Boolean.getBoolean("herald.bench.delete-jar-on-exit")) {
            // scripts/bench runs a private copy of the jar (workers use it too): remove it at the end.
            String jar = System.getProperty("java.class.path");
            if (jar != null && jar.endsWith(".jar") && !jar.contains(java.io.File.pathSeparator)) {
                new java.io.File(jar).deleteOnExit();
            }
        }
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new BenchMain());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("bench: " + (e instanceof IllegalArgumentException ? e.getMessage() : e.toString()));
            if (!(e instanceof IllegalArgumentException)) {
                e.printStackTrace(commandLine.getErr());
            }
            return 2;
        });
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }
}
