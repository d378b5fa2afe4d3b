package io.herald;

import ch.qos.logback.classic.Level;
import io.herald.app.App;
import io.herald.config.HeraldConfig;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code startup_warm_up}: once {@code bin/herald}'s node has bound its port and connected its
 * backends, and before it accepts a connection (they wait in the kernel's backlog), a throwaway
 * node of the same code on a loopback port of its own, with one random app and nothing shared
 * (local adapter, no metrics, no webhooks), gets rounds of connect storms and published fan-out
 * from a client in this process, until the JIT has compiled those paths. The node's first real
 * clients (a rolling deploy's, an autoscaling event's, a reconnect storm's) then meet compiled
 * code instead of paying for the compilation in their latency. Bounded in work and in time; a
 * failure is logged and the node starts without it.
 */
public final class StartupWarmUp {
    private static final Logger log = LoggerFactory.getLogger(StartupWarmUp.class);
    /** Each round: connect + subscribe + close cycles (this many at once), then published fan-out. */
    static final int CONNECTS_PER_ROUND = 250;
    static final int CONNECTS_AT_ONCE = 50;
    static final int PUBLISHES_PER_ROUND = 1_000;
    /** Held open through the rounds: 20 subscribers per channel, so a publish is 20 deliveries. */
    static final int SUBSCRIBERS = 200;
    static final int CHANNELS = 10;
    static final int PUBLISHERS = 4;
    /**
     * Rounds go on until the JIT compilers spent less than this share of a round's time compiling
     * (the paths are compiled; while the compile queue is long, a path's first thousand calls are
     * not enough to get it compiled), and at least this many.
     */
    static final double QUIET_COMPILE_SHARE = 0.1;
    static final int MIN_ROUNDS = 2;
    /** Whatever the machine, the node starts after this at the latest. */
    static final Duration LIMIT = Duration.ofSeconds(10);

    private StartupWarmUp() {}

    /** What the warm-up did; {@code deliveries} are the events its subscribers read. */
    public record Result(int rounds, int connects, int publishes, int refusedPublishes, long deliveries, long compileMillis,
                         long millis, boolean cutShort) {}

    /** Runs the warm-up and logs what it did; null (and a warning) when it could not run. */
    public static Result run(HeraldConfig config) {
        long start = System.nanoTime();
        long deadline = start + LIMIT.toNanos();
        App app = App.of("herald-warm-up", randomHex(10), randomHex(32));
        Result result = null;
        RuntimeException failure = null;
        ch.qos.logback.classic.Logger herald = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.herald");
        Level level = herald.getLevel();
        herald.setLevel(Level.WARN); // the throwaway node's start and stop lines are not this node's
        try {
            Herald node = Herald.start(throwawayNode(config, app));
            try (LoopbackLoad load = new LoopbackLoad(node.port(), app)) {
                result = rounds(load, start, deadline);
            } finally {
                node.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            herald.setLevel(level);
        }
        if (failure != null) {
            log.warn("start-up warm-up failed, starting without it: {}", String.valueOf(failure.getMessage()), failure);
            return null;
        }
        log.info("start-up warm-up{}: {} rounds, {} connects, {} publishes{}, {} deliveries on loopback in {} ms, {} ms of it "
                        + "compiling (startup_warm_up false skips it)", result.cutShort() ? " cut short at its time limit" : "",
                result.rounds(), result.connects(), result.publishes(),
                result.refusedPublishes() == 0 ? "" : " (" + result.refusedPublishes() + " refused)", result.deliveries(),
                result.millis(), result.compileMillis());
        return result;
    }

    private static Result rounds(LoopbackLoad load, long start, long deadline) throws InterruptedException {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
        long compiledAtStart = timed ? jit.getTotalCompilationTime() : 0;
        boolean ready = load.openSubscribers(SUBSCRIBERS, CHANNELS, deadline);
        int rounds = 0;
        int connects = 0;
        boolean quiet = false;
        while (ready && !quiet && System.nanoTime() < deadline) {
            long roundStart = System.nanoTime();
            long compiledBefore = timed ? jit.getTotalCompilationTime() : 0;
            connects += load.churn(CONNECTS_PER_ROUND, CONNECTS_AT_ONCE, deadline);
            load.publish(PUBLISHES_PER_ROUND, PUBLISHERS, deadline);
            rounds++;
            long roundMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - roundStart);
            // A JVM without the compilers' clock gets the minimum number of rounds.
            quiet = rounds >= MIN_ROUNDS
                    && (!timed || jit.getTotalCompilationTime() - compiledBefore < QUIET_COMPILE_SHARE * roundMillis);
        }
        return new Result(rounds, connects, load.published(), load.refused(), load.delivered(),
                timed ? jit.getTotalCompilationTime() - compiledAtStart : -1,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), !quiet);
    }

    /** The node's own code and transport, with nothing that reaches outside the process. */
    private static HeraldConfig throwawayNode(HeraldConfig config, App app) {
        return config.toBuilder()
                .host("127.0.0.1").port(0).processId("warm-up").debug(false).maxConnections(0)
                .shutdownGracePeriodSeconds(0)
                .adapter(new HeraldConfig.AdapterConfig.Local())
                .appManager(new HeraldConfig.AppManagerConfig.Memory(List.of(app)))
                .cache(new HeraldConfig.CacheConfig.None())
                .ssl(HeraldConfig.SslConfig.off())
                .rateLimiter(HeraldConfig.RateLimiterConfig.off())
                .queue(HeraldConfig.QueueConfig.memory())
                .metrics(HeraldConfig.MetricsConfig.off())
                .healthCheck(new HeraldConfig.HealthCheckConfig(false, 30, 10))
                .redisTlsCaPath(null)
                .build();
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
