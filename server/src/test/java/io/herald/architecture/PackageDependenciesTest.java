package io.herald.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shape of the code, read from its sources: packages depend on each other without cycles,
 * the wire-level helpers import nothing else of Herald, and the server-events seam knows neither
 * Netty nor any driver.
 */
class PackageDependenciesTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    /** A reference to a Herald class: lower-case package segments, then an upper-case class name. */
    private static final Pattern HERALD_REFERENCE = Pattern.compile("\\bio\\.herald\\.((?:[a-z]\\w*\\.)*)[A-Z]");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+)", Pattern.MULTILINE);

    /** package -> the Herald packages it refers to. */
    private static final Map<String, Set<String>> dependencies = new TreeMap<>();
    /** package -> everything it imports. */
    private static final Map<String, Set<String>> imports = new TreeMap<>();

    @BeforeAll
    static void readSources() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                Matcher declared = PACKAGE.matcher(source);
                assertThat(declared.find()).as("package declaration in %s", file).isTrue();
                String pkg = declared.group(1);
                Set<String> uses = dependencies.computeIfAbsent(pkg, p -> new TreeSet<>());
                Matcher reference = HERALD_REFERENCE.matcher(source);
                while (reference.find()) {
                    String used = ("io.herald." + reference.group(1)).replaceAll("\\.$", "");
                    if (!used.equals(pkg)) {
                        uses.add(used);
                    }
                }
                Matcher imported = IMPORT.matcher(source);
                Set<String> importsOfPackage = imports.computeIfAbsent(pkg, p -> new TreeSet<>());
                while (imported.find()) {
                    importsOfPackage.add(imported.group(1));
                }
            }
        }
        assertThat(dependencies).as("packages found under %s", SOURCES.toAbsolutePath()).isNotEmpty();
    }

    @Test
    void packagesHaveNoCycles() {
        List<List<String>> cycles = new ArrayList<>();
        for (String start : dependencies.keySet()) {
            List<String> cycle = cycleThrough(start);
            if (cycle != null) {
                cycles.add(cycle);
            }
        }
        assertThat(cycles).as("package cycles (each listed from one of its packages)").isEmpty();
    }

    @Test
    void wireHelpersImportNothingElseOfHerald() {
        assertThat(dependencies.getOrDefault("io.herald.wire", Set.of())).isEmpty();
    }

    @Test
    void theServerEventsSeamKnowsNeitherNettyNorAnyDriver() {
        assertThat(dependencies.getOrDefault("io.herald.events", Set.of())).isEmpty();
        assertThat(importsOf("io.herald.events")).noneMatch(name -> name.startsWith("io.netty")
                || name.startsWith("io.lettuce") || name.startsWith("io.nats") || name.startsWith("java.sql"));
    }

    /** A path start -> ... -> start through the dependency graph, or null when there is none. */
    private static List<String> cycleThrough(String start) {
        Deque<List<String>> paths = new ArrayDeque<>();
        paths.add(List.of(start));
        Set<String> seen = new TreeSet<>();
        while (!paths.isEmpty()) {
            List<String> path = paths.poll();
            for (String next : dependencies.getOrDefault(path.get(path.size() - 1), Set.of())) {
                List<String> longer = new ArrayList<>(path);
                longer.add(next);
                if (next.equals(start)) {
                    return longer;
                }
                if (seen.add(next)) {
                    paths.add(longer);
                }
            }
        }
        return null;
    }

    static Set<String> importsOf(String pkg) {
        return imports.getOrDefault(pkg, Set.of());
    }
}
