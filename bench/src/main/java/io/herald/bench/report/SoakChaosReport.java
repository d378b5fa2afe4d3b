package io.herald.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/**
 * The "Soak" and "Chaos" sections of docs/benchmarks.md: the latest soak of each target with its
 * resource series and verdict, and the latest chaos run of each bus with one row per fault.
 */
final class SoakChaosReport {
    /** The issue asks for a soak of at least this long; shorter runs are labelled as such. */
    static final double SOAK_SECONDS = 1800;

    private final ResultSet results;
    private final StringBuilder md;

    SoakChaosReport(ResultSet results, StringBuilder md) {
        this.results = results;
        this.md = md;
    }

    static boolean handles(JsonNode line) {
        String s = line.path("scenario").asText();
        return s.equals("soak") || s.equals("chaos");
    }

    // ------------------------------------------------------------------ soak

    void soak() {
        md.append("## Soak\n\n");
        md.append("Connections held for a long time with churn (connections closed and opened again, presence members leaving and\n");
        md.append("joining as new members) and publishes at a fixed rate through the HTTP API. Every `--interval` seconds after the\n");
        md.append("warm-up the bench reads the server's heap after a full collection (`jcmd PID GC.run`, then `GC.heap_info`), its\n");
        md.append("RSS and open files (/proc). A series is *flat* when its least-squares growth over the run stays within 5% of its\n");
        md.append("first value (heap at least 8 MiB, RSS at least 32 MiB) or, for open files, 1% (at least 50). Every accepted\n");
        md.append("publish is checked against every subscriber that was subscribed when it was sent and still connected 2 s after it\n");
        md.append("was answered: zero lost deliveries is the goal.\n\n");
        ResultSet.Pair pair = ResultSet.latestPair(results.matching(l -> l.path("scenario").asText().equals("soak")));
        if (pair.herald() == null && pair.soketi() == null) {
            md.append("Not measured yet: run `scripts/bench soak` (19,000 connections, 30 minutes).\n\n");
            return;
        }
        for (JsonNode l : new JsonNode[] {pair.herald(), pair.soketi()}) {
            if (l != null) {
                soakRun(l);
            }
        }
    }

    private void soakRun(JsonNode l) {
        JsonNode p = l.path("params");
        md.append("### ").append(label(l)).append(String.format(Locale.ROOT, ": %,d connections, %s publishes/s, churn %s/s, "
                        + "presence churn %s/s, %s min\n\n", p.path("connections").asInt(), ReportWriter.fmt(p.path("rate").asDouble()),
                ReportWriter.fmt(p.path("churn_per_s").asDouble()), ReportWriter.fmt(p.path("presence_churn_per_s").asDouble()),
                ReportWriter.fmt(p.path("duration_s").asDouble() / 60)));
        md.append("Command: `").append(l.path("command").asText()).append("` (run ").append(l.path("run_id").asText()).append(")\n\n");
        if (l.has("error")) {
            md.append("- failed: ").append(oneLine(l.path("error").asText(), 400)).append("\n\n");
            return;
        }
        if (p.path("duration_s").asDouble() < SOAK_SECONDS) {
            md.append("- **Short run (").append(ReportWriter.fmt(p.path("duration_s").asDouble())).append(" s measured): the soak is meant to "
                    + "run 30 minutes; a trend over a short run says little.**\n");
        }
        if (l.has("warning")) {
            md.append("- **").append(l.path("warning").asText()).append("**.\n");
        }
        md.append("- Verdict: **").append(l.path("verdict").asText("-")).append("**; deliveries expected ")
                .append(ReportWriter.fmt(l.path("expected").asDouble())).append(", lost **").append(l.path("lost").asLong())
                .append("**, doubled ").append(l.path("duplicates").asLong()).append(" (")
                .append(ReportWriter.fmt(l.path("sessions_checked").asDouble())).append(" subscriber sessions checked, ")
                .append(ReportWriter.fmt(l.path("churn_closes").asDouble())).append(" closed by churn, ")
                .append(l.path("dropped_by_server").asLong()).append(" dropped by the server).\n");
        JsonNode presence = l.path("presence");
        if (presence.has("converged")) {
            md.append("- Presence at the end (churn stopped): ").append(presence.path("converged").asBoolean()
                    ? "every view matched the members held" : "**views did not match**").append("; ghosts ")
                    .append(presence.path("ghosts").asInt()).append(", missing ").append(presence.path("missing").asInt()).append(".\n");
        }
        md.append("- Publishes: ").append(ReportWriter.fmt(l.path("publishes").asDouble())).append(", failed ")
                .append(l.path("failed").asLong()).append("; delivery latency p50 ")
                .append(ReportWriter.fmtOrDash(Metrics.value(l, "latency_ms.p50"))).append(" ms, p99 ")
                .append(ReportWriter.fmtOrDash(Metrics.value(l, "latency_ms.p99"))).append(" ms, max ")
                .append(ReportWriter.fmtOrDash(Metrics.value(l, "latency_ms.max"))).append(" ms (a sample's full GC pauses the server).\n\n");
        md.append("| series | first | last | min | max | slope per hour | growth over the run | tolerance | flat |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (String[] s : List.of(new String[] {"heap_after_gc_kb", "heap after GC (KB)"}, new String[] {"rss_kb", "RSS (KB)"},
                new String[] {"fds", "open files"})) {
            JsonNode series = l.path("series").path(s[0]);
            if (series.path("samples").asInt() == 0) {
                md.append("| ").append(s[1]).append(" | not read | | | | | | | |\n");
                continue;
            }
            md.append("| ").append(s[1]);
            for (String f : List.of("first", "last", "min", "max", "slope_per_hour", "growth", "tolerance")) {
                md.append(" | ").append(ReportWriter.fmtOrDash(Metrics.value(series, f)));
            }
            JsonNode flat = series.path("flat");
            md.append(" | ").append(flat.isBoolean() ? (flat.asBoolean() ? "yes" : "**no**") : "-").append(" |\n");
        }
        md.append('\n');
        JsonNode samples = l.path("samples");
        if (samples.isArray() && !samples.isEmpty()) {
            md.append("<details><summary>Samples (").append(samples.size()).append(")</summary>\n\n");
            md.append("| t (s) | heap after GC (KB) | RSS (KB) | open files | user CPU (s) | system CPU (s) | connections | delivered | published |\n");
            md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (JsonNode s : samples) {
                md.append("| ").append(ReportWriter.fmtOrDash(Metrics.value(s, "t_s")));
                for (String f : List.of("heap_after_gc_kb", "rss_kb", "fds", "user_cpu_s", "system_cpu_s", "connections", "delivered",
                        "publishes")) {
                    md.append(" | ").append(ReportWriter.fmtOrDash(Metrics.value(s, f)));
                }
                md.append(" |\n");
            }
            md.append("\n</details>\n\n");
        }
    }

    // ------------------------------------------------------------------ chaos

    void chaos() {
        md.append("## Chaos\n\n");
        md.append("Three Herald nodes on a private Redis or NATS (started by the bench on a free loopback port), connections spread\n");
        md.append("over the nodes, publishes round-robin over the nodes through the HTTP API, and churn of connections and presence\n");
        md.append("members, while the bench restarts the bus (SIGKILL, started again on its port), SIGKILLs a node (started again on\n");
        md.append("its port, same `INSTANCE_PROCESS_ID`) and SIGSTOPs a node for 5 s. A fault's row counts the publishes sent from\n");
        md.append("that fault to the next. *Lost*: deliveries the README promises that did not arrive (a subscriber is held to a\n");
        md.append("publish when it was subscribed on a live node when the publish was sent and still connected 2 s after the\n");
        md.append("answer). While the bus is down a node promises only its own clients, so publishes accepted then are counted\n");
        md.append("apart for subscribers on other nodes (*not promised*). *Converged*: seconds from the recovery (bus or node back,\n");
        md.append("SIGCONT) until every node's `GET /apps/{id}/channels/{channel}/users` and the roster a new member receives list\n");
        md.append("exactly the members the bench holds (churn paused meanwhile). *Ghosts*: members still listed that the bench\n");
        md.append("knows are gone, when the views agreed or the wait gave up.\n\n");
        boolean any = false;
        for (String adapter : List.of("redis", "nats")) {
            List<JsonNode> lines = results.matching(l -> l.path("scenario").asText().equals("chaos")
                    && l.path("params").path("adapter").asText().equals(adapter));
            if (lines.isEmpty()) {
                continue;
            }
            any = true;
            chaosRun(lines.get(lines.size() - 1));
        }
        if (!any) {
            md.append("Not measured yet: run `scripts/bench chaos --adapter redis` and `scripts/bench chaos --adapter nats`.\n\n");
        }
    }

    private void chaosRun(JsonNode l) {
        JsonNode p = l.path("params");
        md.append("### ").append(String.format(Locale.ROOT, "%s: %d nodes, %,d connections (%,d presence members), %s publishes/s\n\n",
                p.path("adapter").asText(), p.path("nodes").asInt(), p.path("connections").asInt(), p.path("presence_members").asInt(),
                ReportWriter.fmt(p.path("rate").asDouble())));
        md.append("Command: `").append(l.path("command").asText()).append("` (run ").append(l.path("run_id").asText()).append(")\n\n");
        if (l.has("error")) {
            md.append("- failed: ").append(oneLine(l.path("error").asText(), 400)).append("\n\n");
            return;
        }
        md.append("| phase | what | publishes accepted / failed | deliveries expected | lost | doubled | not promised: expected / lost "
                + "| converged after (s) | ghosts | missing |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        JsonNode base = l.path("baseline");
        md.append("| baseline | load only | ").append(acceptedFailed(base)).append(" | ").append(ReportWriter.fmt(base.path("expected").asDouble()))
                .append(" | ").append(base.path("lost").asLong()).append(" | ").append(base.path("doubled").asLong())
                .append(" | - | - | - | - |\n");
        for (JsonNode f : l.path("faults")) {
            JsonNode presence = f.path("presence");
            md.append("| ").append(f.path("fault").asText()).append(" | ").append(f.path("what").asText().replace("|", "\\|"))
                    .append(" | ").append(acceptedFailed(f)).append(" | ").append(ReportWriter.fmt(f.path("expected").asDouble()))
                    .append(" | ").append(f.path("lost").asLong()).append(" | ").append(f.path("doubled").asLong()).append(" | ")
                    .append(f.has("expected_not_promised") ? ReportWriter.fmt(f.path("expected_not_promised").asDouble()) + " / "
                            + f.path("lost_not_promised").asLong() : "-")
                    .append(" | ").append(converged(presence)).append(" | ").append(presence.path("ghosts").asInt())
                    .append(" | ").append(presence.path("missing").asInt()).append(" |\n");
        }
        JsonNode fin = l.path("final_presence");
        md.append("| end | load stopped, final check | | | | | | ").append(converged(fin)).append(" | ").append(fin.path("ghosts").asInt())
                .append(" | ").append(fin.path("missing").asInt()).append(" |\n\n");
        md.append("- In all: ").append(ReportWriter.fmt(l.path("expected").asDouble())).append(" deliveries expected, **")
                .append(l.path("lost").asLong()).append(" lost**, ").append(l.path("doubled").asLong()).append(" doubled; not promised ")
                .append(ReportWriter.fmt(l.path("expected_not_promised").asDouble())).append(", of which ")
                .append(l.path("lost_not_promised").asLong()).append(" lost. Delivery latency p50 ")
                .append(ReportWriter.fmtOrDash(Metrics.value(l, "latency_ms.p50"))).append(" ms, p99 ")
                .append(ReportWriter.fmtOrDash(Metrics.value(l, "latency_ms.p99"))).append(" ms (the SIGSTOP holds a node's deliveries).\n");
        md.append("- Load average before and after (1, 5, 15 min): ").append(l.path("load_before").asText("-")).append(" / ")
                .append(l.path("load_after").asText("-")).append(".\n");
        for (JsonNode f : l.path("faults")) {
            for (JsonNode e : f.path("presence").path("examples")) {
                md.append("- ").append(f.path("fault").asText()).append(": ").append(oneLine(e.asText(), 200)).append('\n');
            }
        }
        for (JsonNode e : l.path("lost_examples")) {
            md.append("- lost: ").append(oneLine(e.asText(), 200)).append('\n');
        }
        md.append('\n');
    }

    private static String acceptedFailed(JsonNode n) {
        return ReportWriter.fmt(n.path("accepted").asDouble()) + " / " + n.path("failed").asLong()
                + (n.path("failed_by_status").isObject() && n.path("failed_by_status").size() > 0
                ? " (" + n.path("failed_by_status").toString().replace("\"", "").replace("|", "\\|") + ")" : "");
    }

    private static String converged(JsonNode presence) {
        if (!presence.has("converged")) {
            return "-";
        }
        return presence.path("converged").asBoolean()
                ? ReportWriter.fmt(presence.path("converge_s").asDouble())
                : "**not within " + ReportWriter.fmt(presence.path("gave_up_after_s").asDouble()) + "**";
    }

    private static String label(JsonNode l) {
        String t = l.path("target").asText();
        return switch (t) {
            case "herald" -> "Herald" + (l.path("server").has("jdk") ? " (JDK " + l.path("server").path("jdk").asText() + ")" : "");
            case "soketi" -> "soketi";
            default -> t;
        };
    }

    private static String oneLine(String s, int max) {
        String t = s.replace("\n", " ").replace("|", "\\|");
        return t.length() <= max ? t : t.substring(0, max) + "...";
    }
}
