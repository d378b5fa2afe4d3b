package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.testing.CapturedLogs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code logging.format} / {@code LOG_FORMAT}, read before the configuration is loaded. */
class LogFormatConfigTest {

    @TempDir
    Path dir;

    private CapturedLogs logs;

    @BeforeEach
    void captureLogs() {
        logs = CapturedLogs.onThisThread(ConfigTree.class, AppRecordParser.class, DefaultAppEnv.class, ConfigLoader.class);
    }

    @AfterEach
    void releaseLogs() {
        logs.close();
    }

    private String format(Path explicit, Map<String, String> env) {
        return ConfigLoader.logFormat(explicit, env, dir);
    }

    private Path file(String name, String json) throws IOException {
        return Files.writeString(dir.resolve(name), json);
    }

    @Test
    void textByDefault() {
        assertThat(format(null, Map.of())).isEqualTo("text");
        assertThat(format(null, Map.of("LOG_FORMAT", ""))).as("an empty variable counts as unset").isEqualTo("text");
    }

    @Test
    void fromTheEnvironmentUnderEitherName() {
        assertThat(format(null, Map.of("LOG_FORMAT", "json"))).isEqualTo("json");
        assertThat(format(null, Map.of("LOG_OUTPUT_FORMAT", "json"))).as("Sockudo's variable").isEqualTo("json");
        assertThat(format(null, Map.of("LOG_FORMAT", "JSON"))).isEqualTo("json");
        assertThat(format(null, Map.of("LOG_FORMAT", "text", "LOG_OUTPUT_FORMAT", "json"))).as("LOG_FORMAT first")
                .isEqualTo("text");
    }

    @Test
    void fromTheFilesInLoadOrderWithTheEnvironmentWinning() throws IOException {
        Files.createDirectories(dir.resolve("config"));
        Files.writeString(dir.resolve("config/config.json"), "{\"logging\": {\"format\": \"json\"}}");
        assertThat(format(null, Map.of())).as("config/config.json").isEqualTo("json");

        Path explicit = file("herald.json", "{\"logging\": {\"format\": \"text\"}}");
        assertThat(format(explicit, Map.of())).as("--config over config/config.json").isEqualTo("text");
        assertThat(format(explicit, Map.of("LOG_FORMAT", "json"))).as("the variable over both").isEqualTo("json");
    }

    @Test
    void anotherValueIsAnErrorNamingWhereItCameFrom() throws IOException {
        Path explicit = file("herald.json", "{\"logging\": {\"format\": \"yaml\"}}");
        assertThatThrownBy(() -> format(explicit, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("logging.format: expected one of text, json, got 'yaml'")
                .hasMessageContaining("herald.json");
        assertThatThrownBy(() -> format(null, Map.of("LOG_OUTPUT_FORMAT", "pretty")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("LOG_OUTPUT_FORMAT: expected one of text, json, got 'pretty'");
    }

    @Test
    void logsNothingAndLeavesUnreadableFilesToTheLoad() throws IOException {
        Path broken = file("broken.json", "{\"logging\": ");
        assertThat(format(broken, Map.of("LOG_FORMAT", "json"))).isEqualTo("json");
        assertThat(format(dir.resolve("missing.json"), Map.of())).isEqualTo("text");
        assertThat(format(file("ok.json", "{\"port\": 7001, \"nonsense\": 1}"), Map.of())).isEqualTo("text");
        assertThat(logs.all()).as("nothing is logged before the format is chosen").isEmpty();

        assertThatThrownBy(() -> ConfigLoader.load(broken, Map.of(), dir)).isInstanceOf(ConfigException.class);
    }

    @Test
    void sockudosLoggingBlockIsKnown() throws IOException {
        Path explicit = file("herald.json", """
                {"logging": {"format": "json", "colors_enabled": false, "include_target": true}}
                """);
        ConfigLoader.load(explicit, Map.of(), dir);
        assertThat(logs.warnings()).noneMatch(w -> w.contains("Unknown configuration key"));
    }
}
