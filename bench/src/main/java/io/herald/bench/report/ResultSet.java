package io.herald.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.bench.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/** Every result line of bench/results/*.jsonl, oldest first, grouped by scenario variant. */
final class ResultSet {
    private final List<JsonNode> lines;

    private ResultSet(List<JsonNode> lines) {
        this.lines = lines;
    }

    static ResultSet load(Path dir) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            List<Path> files;
            try (var s = Files.list(dir)) {
                files = s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
            }
            for (Path f : files) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    if (line.isBlank()) {
                        continue;
                    }
                    try {
                        JsonNode node = Json.parse(line);
                        if ("result".equals(node.path("kind").asText())) {
                            lines.add(node);
                        }
                    } catch (IllegalArgumentException e) {
                        System.err.println("bench: skipping a malformed line in " + f);
                    }
                }
            }
        }
        lines.sort((a, b) -> a.path("time").asText().compareTo(b.path("time").asText()));
        return new ResultSet(lines);
    }

    int size() {
        return lines.size();
    }

    List<JsonNode> all() {
        return lines;
    }

    /** Scenario variant: which results are comparable (same shape of load). */
    static String variant(JsonNode line) {
        JsonNode p = line.path("params");
        return switch (line.path("scenario").asText()) {
            case "idle" -> "idle connections=" + p.path("connections").asInt() + " channels=" + p.path("channels").asInt();
            case "fanout" -> p.path("sweep").asBoolean()
                    ? "fanout-sweep subscribers=" + p.path("subscribers").asInt() + " channels=" + p.path("channels").asInt()
                    : "fanout subscribers=" + p.path("subscribers").asInt() + " channels=" + p.path("channels").asInt()
                            + " rate=" + num(p.path("rate").asDouble())
                            + (p.path("webhooks").asText("off").equals("off") ? "" : " webhooks=" + p.path("webhooks").asText());
            case "publish" -> "publish subscribers=" + p.path("subscribers").asInt() + " channels=" + p.path("channels").asInt()
                    + " batch=" + p.path("batch").asInt() + " concurrency=" + p.path("concurrency").asInt();
            case "webhooks" -> "webhooks senders=" + p.path("senders").asInt() + " rate=" + num(p.path("rate").asDouble())
                    + " queue=" + p.path("queue").asText() + " batching=" + p.path("batching").asBoolean();
            case "cluster" -> "cluster adapter=" + p.path("adapter").asText() + " nodes=" + p.path("nodes").asInt()
                    + " subscribers=" + p.path("subscribers").asInt() + " channels=" + p.path("channels").asInt()
                    + " rate=" + num(p.path("rate").asDouble());
            default -> line.path("scenario").asText();
        };
    }

    static String num(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** Variants in first-seen order, each with its lines. */
    Map<String, List<JsonNode>> byVariant() {
        Map<String, List<JsonNode>> map = new LinkedHashMap<>();
        for (JsonNode line : lines) {
            map.computeIfAbsent(variant(line), k -> new ArrayList<>()).add(line);
        }
        return map;
    }

    /** The latest Herald and soketi results of some lines, preferring both from the same run. */
    record Pair(JsonNode herald, JsonNode soketi, boolean sameRun) {
        Optional<JsonNode> any() {
            return Optional.ofNullable(herald != null ? herald : soketi);
        }
    }

    static Pair latestPair(List<JsonNode> lines) {
        return latestPair(lines, "herald");
    }

    /** {@link #latestPair(List)} for a variant of Herald, such as {@code herald+io_uring}. */
    static Pair latestPair(List<JsonNode> lines, String heraldTarget) {
        Map<String, JsonNode[]> byRun = new LinkedHashMap<>();
        JsonNode lastHerald = null;
        JsonNode lastSoketi = null;
        for (JsonNode l : lines) {
            String target = l.path("target").asText();
            JsonNode[] pair = byRun.computeIfAbsent(l.path("run_id").asText(), k -> new JsonNode[2]);
            if (target.equals(heraldTarget)) {
                pair[0] = l;
                lastHerald = l;
            } else if (target.equals("soketi")) {
                pair[1] = l;
                lastSoketi = l;
            }
        }
        JsonNode[] bestPair = null;
        for (JsonNode[] pair : byRun.values()) {
            if (pair[0] != null && pair[1] != null && !pair[0].has("error") && !pair[1].has("error")) {
                bestPair = pair;
            }
        }
        // A complete pair from one run wins: a ratio is only fair between figures measured together.
        if (bestPair != null) {
            return new Pair(bestPair[0], bestPair[1], true);
        }
        return new Pair(lastHerald, lastSoketi, lastHerald != null && lastSoketi != null
                && lastHerald.path("run_id").asText().equals(lastSoketi.path("run_id").asText()));
    }

    List<JsonNode> matching(Predicate<JsonNode> filter) {
        return lines.stream().filter(filter).toList();
    }
}
