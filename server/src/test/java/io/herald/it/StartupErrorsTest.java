package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Main;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the herald command says, and its exit status, when it cannot start. */
class StartupErrorsTest {

    @TempDir
    Path dir;

    /** The command's stderr lines, stdout, and exit status. */
    record Run(List<String> stderr, String stdout, int status) {}

    private Run herald(Map<String, String> env) throws IOException, InterruptedException {
        Path out = dir.resolve("out.log");
        Path err = dir.resolve("err.log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName())
                .directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("herald exits").isTrue();
        return new Run(Files.readAllLines(err), Files.readString(out), process.exitValue());
    }

    @Test
    void aPortInUseIsOneLineNamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Run run = herald(Map.of("HOST", "127.0.0.1", "PORT", Integer.toString(taken.getLocalPort())));

            assertThat(run.status()).isNotZero();
            assertThat(run.stderr()).containsExactly("herald: cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + ": address already in use");
        }
    }

    @Test
    void aConfigurationErrorComesFirstAndAlone() throws Exception {
        Run run = herald(Map.of("SOCKUDO_DEFAULT_APP_ID", "half-an-app", "PORT", "0"));

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.stderr()).containsExactly("herald: configuration error: SOCKUDO_DEFAULT_APP_KEY and"
                + " SOCKUDO_DEFAULT_APP_SECRET are not set, but SOCKUDO_DEFAULT_APP_ID is: the default app needs its id, key"
                + " and secret (or set SOCKUDO_DEFAULT_APP_ENABLED=false)");
        assertThat(run.stdout()).doesNotContain("No apps configured");
    }
}
