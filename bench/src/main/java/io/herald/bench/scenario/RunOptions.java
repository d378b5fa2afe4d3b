package io.herald.bench.scenario;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How the load is generated and where results go (shared by every scenario). */
public final class RunOptions {
    @Option(names = "--workers", defaultValue = "0",
            description = "Worker processes holding the connections (default: one per 10,000 connections; at most 15,000 each).")
    int workers;

    @Option(names = "--worker-jvm-opts", defaultValue = "-Xmx512m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError", paramLabel = "OPTS",
            description = "JVM options of the worker processes (default: ${DEFAULT-VALUE}).")
    String workerJvmOpts;

    @Option(names = "--connect-concurrency", defaultValue = "200",
            description = "WebSocket handshakes in flight per worker (default: ${DEFAULT-VALUE}).")
    int connectConcurrency;

    @Option(names = "--connect-timeout", defaultValue = "120", description = "Seconds allowed to connect and subscribe everyone (default: ${DEFAULT-VALUE}).")
    int connectTimeoutSeconds;

    @Option(names = "--payload-bytes", defaultValue = "100", description = "Size of each event's data (default: ${DEFAULT-VALUE}).")
    int payloadBytes;

    @Option(names = "--http-connections", defaultValue = "8",
            description = "Keep-alive connections of the fixed-rate publisher (default: ${DEFAULT-VALUE}).")
    int httpConnections;

    @Option(names = "--results-dir", paramLabel = "DIR", description = "Where result lines are appended (default: bench/results).")
    Path resultsDir;

    @Option(names = "--no-save", description = "Print the result lines only; do not append them to the results.")
    boolean noSave;

    @Option(names = "--channel-prefix", defaultValue = "bench-", description = "Channel names are PREFIX0, PREFIX1... (default: ${DEFAULT-VALUE}).")
    String channelPrefix;

    Path resultsDir() {
        return resultsDir != null ? resultsDir : BenchContext.root().resolve("bench/results");
    }
}
