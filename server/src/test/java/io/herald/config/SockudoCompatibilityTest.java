package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Holds docs/sockudo-compatibility.md to the server. Each row of its tables names a key and/or
 * variables and what Herald does with them; this test reads the rows and checks each against the
 * configuration loader: a row marked "same" or "Herald only" must change the effective
 * configuration, or refuse a wrong value naming it when it has one value only (and its variable
 * must set what its key sets), a row marked "warned" or
 * "refused" must produce a warning or an error naming it (and none for its harmless value), and
 * the rows must be exactly the keys and variables Herald knows, no more and no fewer.
 */
class SockudoCompatibilityTest {

    private static final Path DOC = Path.of("..", "docs", "sockudo-compatibility.md");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    @TempDir
    static Path dir;
    private static Path certA;
    private static Path certB;

    /** One row of the doc's tables: a key (null for "—"), the variables beside it, and what Herald does. */
    record Row(String key, List<String> variables, String status, String unless) {
        boolean supported() {
            return status.equals("same") || status.equals("Herald only");
        }

        String name() {
            return key != null ? key : String.join(", ", variables);
        }
    }

    /** What one load gave: the configuration (with the log format, read apart) or the error, and the warnings. */
    record Outcome(Object effective, String error, List<String> warnings) {
        boolean ok() {
            return error == null;
        }

        boolean mentions(String name) {
            return ok() ? warnings.stream().anyMatch(w -> w.contains(name)) : error.contains(name);
        }
    }

    @BeforeAll
    static void certificates() throws IOException {
        certA = Files.writeString(dir.resolve("a.pem"), "a");
        certB = Files.writeString(dir.resolve("b.pem"), "b");
    }

    // ---- the doc ---------------------------------------------------------------------------------

    static List<Row> rows() throws IOException {
        List<Row> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : Files.readAllLines(DOC)) {
            if (line.startsWith("| key | variable | Herald | notes |")) {
                inTable = true;
                continue;
            }
            if (!line.startsWith("|")) {
                inTable = false;
                continue;
            }
            if (!inTable || line.startsWith("|---")) {
                continue;
            }
            String[] cells = line.split("(?<!\\\\)\\|", -1);
            String keyCell = cells[1].trim();
            String key = keyCell.equals("—") ? null : single(keyCell);
            List<String> variables = new ArrayList<>();
            Matcher m = CODE.matcher(cells[2]);
            while (m.find()) {
                variables.add(m.group(1));
            }
            String herald = cells[3].trim();
            String unless = null;
            Matcher u = Pattern.compile("^(\\w+) unless `(.+)`$").matcher(herald);
            if (u.matches()) {
                herald = u.group(1);
                unless = u.group(2);
            }
            assertThat(herald).as("status of " + line).isIn("same", "Herald only", "warned", "refused", "not read");
            rows.add(new Row(key, variables, herald, unless));
        }
        assertThat(rows).as("rows of " + DOC).hasSizeGreaterThan(700);
        return rows;
    }

    private static String single(String cell) {
        Matcher m = CODE.matcher(cell);
        assertThat(m.find()).as("a key in " + cell).isTrue();
        return m.group(1);
    }

    @Test
    void theTablesListExactlyTheKeysAndVariablesHeraldKnows() throws IOException {
        List<Row> rows = rows();
        Set<String> documentedKeys = new TreeSet<>();
        Set<String> documentedVariables = new TreeSet<>();
        for (Row row : rows) {
            if (row.key() != null) {
                assertThat(documentedKeys.add(row.key())).as("key listed twice: " + row.key()).isTrue();
            }
            documentedVariables.addAll(row.variables());
        }
        Set<String> knownKeys = new TreeSet<>();
        paths(ConfigKeys.ROOT, "", knownKeys);
        assertThat(documentedKeys).isEqualTo(knownKeys);
        Set<String> knownVariables = new TreeSet<>(ConfigVariables.all().keySet());
        knownVariables.addAll(ConfigVariables.NOT_READ);
        assertThat(documentedVariables).isEqualTo(knownVariables);
    }

    private static void paths(KnownKey node, String path, Set<String> out) {
        if (node instanceof KnownKey.Block block) {
            block.keys().forEach((name, child) -> paths(child, path.isEmpty() ? name : path + "." + name, out));
        } else if (node instanceof KnownKey.ListOf list) {
            paths(list.item(), path + "[]", out);
        } else {
            out.add(path);
        }
    }

    // ---- supported rows ----------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> everySupportedKeyChangesTheEffectiveConfiguration() throws IOException {
        return rows().stream().filter(row -> row.supported() && row.key() != null)
                .map(row -> DynamicTest.dynamicTest(row.key(), () -> {
                    Outcome base = load(context(row.key()), contextEnv(row.key(), null));
                    assertThat(base.error()).as("the context of " + row.key() + " loads").isNull();
                    // A key with one possible value (metrics.driver) shows it is read by refusing another.
                    String shown = row.key().replace("[]", "[0]");
                    assertThat(candidates().stream().anyMatch(value -> {
                        Outcome set = load(with(context(row.key()), row.key(), value), contextEnv(row.key(), null));
                        return set.ok() ? !set.effective().equals(base.effective()) : set.error().startsWith(shown + ":");
                    })).as("some value of " + row.key() + " changes the effective configuration").isTrue();
                }));
    }

    @TestFactory
    Stream<DynamicTest> everySupportedVariableIsReadAndSetsWhatItsKeySets() throws IOException {
        List<Row> rows = rows();
        Map<String, List<Row>> rowsOf = new LinkedHashMap<>();
        rows.stream().filter(Row::supported).forEach(row -> row.variables().forEach(v -> rowsOf.computeIfAbsent(v,
                x -> new ArrayList<>()).add(row)));
        return rowsOf.entrySet().stream().map(entry -> DynamicTest.dynamicTest(entry.getKey(), () -> {
            String variable = entry.getKey();
            Row row = entry.getValue().get(0);
            ObjectNode file = context(row.key() != null ? row.key() : variable);
            Map<String, String> env = contextEnv(row.key(), variable);
            Outcome base = load(file, env);
            assertThat(base.error()).as("the context of " + variable + " loads").isNull();
            assertThat(envCandidates().stream().anyMatch(value -> {
                Outcome set = load(file, plus(env, variable, value));
                return set.ok() ? !set.effective().equals(base.effective()) : set.error().startsWith(variable + ":");
            })).as("some value of " + variable + " changes the effective configuration").isTrue();
            boolean keyChangesIt = row.key() != null && candidates().stream().anyMatch(value -> {
                Outcome byKey = load(with(context(row.key()), row.key(), value), env);
                return byKey.ok() && !byKey.effective().equals(base.effective());
            });
            if (keyChangesIt && entry.getValue().size() == 1) {
                assertThat(candidates().stream().anyMatch(value -> {
                    String spelled = envSpelling(value);
                    if (spelled == null) {
                        return false;
                    }
                    Outcome byKey = load(with(context(row.key()), row.key(), value), env);
                    Outcome byVariable = load(file, plus(env, variable, spelled));
                    return byKey.ok() && !byKey.effective().equals(base.effective())
                            && byKey.effective().equals(byVariable.effective());
                })).as(variable + " sets what " + row.key() + " sets").isTrue();
            }
        }));
    }

    // ---- warned and refused rows -------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> everyWarnedOrRefusedKeyProducesItsMessage() throws IOException {
        return rows().stream().filter(row -> row.key() != null && (row.status().equals("warned") || row.status().equals("refused")))
                .map(row -> DynamicTest.dynamicTest(row.key(), () -> {
                    String shown = row.key().replace("[]", "[0]");
                    JsonNode harmless = row.unless() == null ? null : JSON.readTree(row.unless());
                    boolean refused = row.status().equals("refused");
                    boolean found = false;
                    // A switched-off feature says nothing; switched on, its keys are told.
                    for (boolean switchedOn : new boolean[] {false, true}) {
                        for (JsonNode value : candidates()) {
                            if (value.equals(harmless)) {
                                continue;
                            }
                            ObjectNode file = with(context(row.key()), row.key(), value);
                            if (switchedOn) {
                                switchOnAncestors(file, row.key());
                            }
                            Outcome outcome = load(file, Map.of());
                            if (outcome.ok() != refused && outcome.mentions(shown)) {
                                found = true;
                                break;
                            }
                        }
                        if (found) {
                            break;
                        }
                    }
                    assertThat(found).as(row.key() + " is " + row.status() + " with a message naming " + shown).isTrue();
                    if (harmless != null) {
                        Outcome quiet = load(with(context(row.key()), row.key(), harmless), Map.of());
                        assertThat(quiet.ok() && !quiet.mentions(shown)).as(row.key() + " = " + harmless + " needs no message")
                                .isTrue();
                    }
                }));
    }

    @TestFactory
    Stream<DynamicTest> everyWarnedRefusedOrUnreadVariableBehavesAsDocumented() throws IOException {
        Map<String, Row> byVariable = new LinkedHashMap<>();
        rows().stream().filter(row -> !row.supported()).forEach(row -> row.variables().forEach(v -> byVariable.put(v, row)));
        return byVariable.entrySet().stream().map(entry -> DynamicTest.dynamicTest(entry.getKey(), () -> {
            String variable = entry.getKey();
            Row row = entry.getValue();
            if (row.status().equals("not read")) {
                assertThat(load(NODES.objectNode(), Map.of(variable, "1")).mentions(variable)).isFalse();
                return;
            }
            boolean refused = row.status().equals("refused");
            assertThat(envCandidates().stream().filter(value -> !value.equalsIgnoreCase(row.unless() == null ? ""
                            : row.unless().replace("\"", "")))
                    .anyMatch(value -> {
                        Outcome outcome = load(NODES.objectNode(), Map.of(variable, value));
                        return outcome.ok() != refused && outcome.mentions(variable);
                    })).as(variable + " is " + row.status() + " with a message naming it").isTrue();
            if (row.unless() != null) {
                Outcome quiet = load(NODES.objectNode(), Map.of(variable, row.unless().replace("\"", "")));
                assertThat(quiet.ok() && !quiet.mentions(variable)).as(variable + "=" + row.unless() + " needs no message")
                        .isTrue();
            }
        }));
    }

    // ---- loading -------------------------------------------------------------------------------------

    private Outcome load(ObjectNode file, Map<String, String> env) {
        Path path = dir.resolve("probe.json");
        StartupNotes notes = new StartupNotes();
        try {
            Files.writeString(path, file.toString());
            ConfigLoader.Loaded loaded = ConfigLoader.loadQuietly(path, env, dir, notes);
            return new Outcome(List.of(loaded.config(), ConfigLoader.logFormat(path, env, dir)), null, notes.warnings());
        } catch (ConfigException e) {
            return new Outcome(null, e.getMessage(), notes.warnings());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The rest of the file a key needs to matter: its driver chosen, the records around it, TLS
     * with its files. Every file names its node, which is otherwise a random id.
     */
    private static ObjectNode context(String key) {
        ObjectNode file = NODES.objectNode();
        file.putObject("instance").put("process_id", "probe-node");
        String[][] drivers = {
                {"adapter.redis.", "adapter.driver", "redis"}, {"adapter.cluster.", "adapter.driver", "redis-cluster"},
                {"adapter.nats.", "adapter.driver", "nats"}, {"NATS_", "adapter.driver", "nats"},
                {"app_manager.cache.", "app_manager.driver", "mysql"}, {"database.mysql.", "app_manager.driver", "mysql"},
                {"database.postgres.", "app_manager.driver", "postgres"},
                {"database.redis.cluster", "cache.driver", "redis-cluster"}, {"database.redis.", "cache.driver", "redis"},
                {"cache.redis.", "cache.driver", "redis"}, {"cache.redis_cluster.", "cache.driver", "redis-cluster"},
                {"queue.redis.", "queue.driver", "redis"}, {"queue.redis_cluster.", "queue.driver", "redis-cluster"},
                {"rate_limiter.redis.", "rate_limiter.driver", "redis"},
                {"rate_limiter.redis_cluster.", "rate_limiter.driver", "redis-cluster"}};
        for (String[] driver : drivers) {
            if (key.startsWith(driver[0])) {
                with(file, driver[1], NODES.textNode(driver[2]));
                break;
            }
        }
        if (key.startsWith("database.redis.cluster.") && !key.startsWith("database.redis.cluster.nodes")) {
            with(file, "database.redis.cluster.nodes[].host", NODES.textNode("n1"));
        }
        if (key.startsWith("ssl.")) {
            with(file, "ssl.enabled", NODES.booleanNode(true));
            with(file, "ssl.cert_path", NODES.textNode(certA.toString()));
            with(file, "ssl.key_path", NODES.textNode(certA.toString()));
        }
        if (key.equals("SOCKUDO_DEFAULT_APP_ENABLED") || key.equals("SOCKUDO_SKIP_INLINE_APPS")
                || key.equals("APP_MANAGER_REGISTER_INLINE_APPS")) {
            with(file, "app_manager.array.apps[].id", NODES.textNode("file-app"));
        }
        return file;
    }

    /** The default app's credentials, for a variable that only matters with them. */
    private static Map<String, String> contextEnv(String key, String variable) {
        if (variable != null && key == null && List.of("SOCKUDO_DEFAULT_APP_ID", "SOCKUDO_DEFAULT_APP_KEY",
                "SOCKUDO_DEFAULT_APP_SECRET").contains(variable)) {
            return Map.of("SOCKUDO_DEFAULT_APP_ID", "env-id", "SOCKUDO_DEFAULT_APP_KEY", "env-key",
                    "SOCKUDO_DEFAULT_APP_SECRET", "env-secret");
        }
        return Map.of();
    }

    /** {@code file} with {@code value} at {@code key}; {@code []} makes a one-item list of a minimal record. */
    private static ObjectNode with(ObjectNode file, String key, JsonNode value) {
        String[] parts = key.split("\\.");
        ObjectNode at = file;
        for (int i = 0; i < parts.length; i++) {
            boolean list = parts[i].endsWith("[]");
            String name = list ? parts[i].substring(0, parts[i].length() - 2) : parts[i];
            if (i == parts.length - 1 && !list) {
                at.set(name, value);
                return file;
            }
            if (list) {
                JsonNode existing = at.get(name);
                ArrayNode items = existing instanceof ArrayNode array ? array : at.putArray(name);
                if (items.isEmpty()) {
                    items.add(template(name));
                }
                at = (ObjectNode) items.get(0);
            } else {
                JsonNode existing = at.get(name);
                at = existing instanceof ObjectNode object ? object : at.putObject(name);
            }
        }
        return file;
    }

    /** What an item of a list needs to be read at all. */
    private static ObjectNode template(String list) {
        ObjectNode item = NODES.objectNode();
        if (list.equals("apps")) {
            item.put("id", "a").put("key", "k").put("secret", "s");
        } else if (list.equals("webhooks")) {
            item.put("url", "https://h.example");
            item.putArray("event_types").add("channel_occupied");
        }
        return item;
    }

    /** Sets {@code enabled: true} in every block around the key, so that a feature that is off by default is on. */
    private static void switchOnAncestors(ObjectNode file, String key) {
        String[] parts = key.split("\\.");
        for (int i = 1; i < parts.length; i++) {
            String ancestor = String.join(".", java.util.Arrays.copyOf(parts, i));
            if (!key.equals(ancestor + ".enabled")) {
                with(file, ancestor + ".enabled", NODES.booleanNode(true));
            }
        }
    }

    private static Map<String, String> plus(Map<String, String> env, String name, String value) {
        Map<String, String> more = new HashMap<>(env);
        more.put(name, value);
        return more;
    }

    /** Values tried in turn: one of them is of the key's type and differs from its default. */
    private static List<JsonNode> candidates() {
        List<JsonNode> values = new ArrayList<>();
        values.add(NODES.booleanNode(true));
        values.add(NODES.booleanNode(false));
        for (int number : new int[] {7, 3, 2, 1, 5000, 9000}) {
            values.add(NODES.numberNode(number));
        }
        for (String text : new String[] {"probe_a", "probe_b", "https://a.example", "https://b.example", certB.toString(),
                certA.toString(), "redis", "nats", "mysql", "none", "json", "redis-cluster"}) {
            values.add(NODES.textNode(text));
        }
        for (String item : new String[] {"probe_a", "channel_occupied", "member_added", "redis://s1:7000"}) {
            values.add(NODES.arrayNode().add(item));
        }
        values.add(NODES.objectNode().put("X-Probe", "a"));
        return values;
    }

    private static List<String> envCandidates() {
        List<String> values = new ArrayList<>(List.of("on", "off", "true", "false", "7", "3", "5000", "probe_a",
                "https://a.example", "redis", "nats", "mysql", "json", "none", "redis://s1:7000,redis://s2:7001",
                "[{\"url\": \"https://h.example\", \"event_types\": [\"channel_occupied\"]}]"));
        values.add(certB.toString());
        return values;
    }

    /** How a file value is written in a variable: Sockudo's spellings (on/off), lists comma-separated; null for objects. */
    private static String envSpelling(JsonNode value) {
        if (value.isBoolean()) {
            return value.booleanValue() ? "on" : "off";
        }
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            value.forEach(item -> items.add(item.asText()));
            return String.join(",", items);
        }
        return value.isObject() ? null : value.asText();
    }
}
