package io.herald.bench.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP API publishing at full speed with wrk (Debian's package), for the {@code publish} scenario
 * without subscribers: one publish request signed once and sent over and over on keep-alive
 * connections (its timestamp stays valid for the run). wrk is a few thousand lines of C on epoll:
 * it needs far less CPU per request than any server, so the server, not the generator, sets the
 * rate. Its own CPU (user and system) comes from {@code /usr/bin/time}.
 */
public final class WrkPublisher {
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in ([0-9.]+)s");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern ERRORS = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern CPU = Pattern.compile("wrk-cpu ([0-9.]+) ([0-9.]+)");
    private static final Pattern LATENCY = Pattern.compile("^\\s+(50|90|99)%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);

    /** What one wrk run did. Latencies in milliseconds. */
    public record Result(long requests, double seconds, double requestsPerSecond, long non2xx, long socketErrors,
                         double userCpuSeconds, double systemCpuSeconds, double p50Ms, double p90Ms, double p99Ms, String output) {}

    /** True when wrk and GNU time are installed. */
    public static boolean available() {
        return Files.isExecutable(Path.of("/usr/bin/wrk")) && Files.isExecutable(Path.of("/usr/bin/time"));
    }

    /**
     * Runs {@code wrk -t threads -c connections -d seconds} against {@code http://host:port} with one
     * POST of {@code body} to {@code signedUri}.
     */
    public static Result run(String host, int port, String signedUri, byte[] body, int threads, int connections,
                             double seconds, Path workDir) throws IOException, InterruptedException {
        Path script = Files.writeString(workDir.resolve("publish-" + System.nanoTime() + ".lua"),
                "wrk.method = \"POST\"\n"
                        + "wrk.body = [==[" + new String(body, StandardCharsets.UTF_8) + "]==]\n"
                        + "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
                        + "wrk.path = \"" + signedUri + "\"\n");
        List<String> command = new ArrayList<>(List.of("/usr/bin/time", "-f", "wrk-cpu %U %S", "/usr/bin/wrk",
                "-t" + threads, "-c" + connections, "-d" + Math.max(1, Math.round(seconds)) + "s", "--latency",
                "-s", script.toString(), "http://" + host + ":" + port));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(Math.round(seconds) + 60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("wrk did not finish:\n" + output);
        }
        Files.deleteIfExists(script);
        Matcher rps = RPS.matcher(output);
        Matcher total = TOTAL.matcher(output);
        Matcher cpu = CPU.matcher(output);
        if (!rps.find() || !total.find() || !cpu.find()) {
            throw new IOException("unexpected wrk output:\n" + output);
        }
        Matcher non2xx = NON_2XX.matcher(output);
        Matcher errors = ERRORS.matcher(output);
        long socketErrors = 0;
        if (errors.find()) {
            for (int g = 1; g <= 4; g++) {
                socketErrors += Long.parseLong(errors.group(g));
            }
        }
        double[] latency = new double[3];
        Matcher l = LATENCY.matcher(output);
        while (l.find()) {
            int index = switch (l.group(1)) {
                case "50" -> 0;
                case "90" -> 1;
                default -> 2;
            };
            double value = Double.parseDouble(l.group(2));
            latency[index] = switch (l.group(3).toLowerCase(Locale.ROOT)) {
                case "us" -> value / 1000;
                case "s" -> value * 1000;
                default -> value;
            };
        }
        return new Result(Long.parseLong(total.group(1)), Double.parseDouble(total.group(2)), Double.parseDouble(rps.group(1)),
                non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0, socketErrors, Double.parseDouble(cpu.group(1)),
                Double.parseDouble(cpu.group(2)), latency[0], latency[1], latency[2], output);
    }
}
