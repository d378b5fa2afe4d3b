package io.herald;

import ch.qos.logback.classic.Level;
import io.herald.config.ConfigException;
import io.herald.config.ConfigLoader;
import io.herald.config.HeraldConfig;
import io.herald.transport.ListenException;
import io.herald.wire.Secrets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `bin/herald`: load the configuration, start the node, stop it gracefully on SIGTERM/SIGINT. */
@Command(name = "herald", mixinStandardHelpOptions = true, version = "Herald 0.1.0",
        description = {"A Pusher Channels protocol server. Configuration is Sockudo's: defaults,",
                "then config/config.json if present, then --config FILE, then environment variables."})
public final class Main implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "JSON configuration file (Sockudo format).")
    private Path configFile;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        HeraldConfig config;
        try {
            Path workingDir = Path.of("").toAbsolutePath();
            LogOutput.use(ConfigLoader.logFormat(configFile, System.getenv(), workingDir));
            config = ConfigLoader.load(configFile, System.getenv(), workingDir);
        } catch (ConfigException e) {
            System.err.println("herald: configuration error: " + e.getMessage());
            return 2;
        }
        if (config.debug()) {
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.herald")).setLevel(Level.DEBUG);
        }
        Herald herald;
        try {
            herald = Herald.start(config, config.startupWarmUp() ? () -> StartupWarmUp.run(config) : null);
        } catch (ListenException e) {
            System.err.println("herald: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            // Every part masks its own messages; this is the last guard for any credential of the config.
            System.err.println("herald: cannot start: " + Secrets.mask(String.valueOf(e.getMessage()), config.secrets()));
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(herald::close, "herald-shutdown"));
        herald.closed().join();
        return 0;
    }
}
