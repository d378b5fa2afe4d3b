package io.herald.config;

import java.util.List;

/** {@code metrics.*} (the Prometheus listener) and {@code health_check.*} (backend round trips). */
final class HealthSettings {

    private HealthSettings() {}

    /** Prometheus only (Sockudo's one driver); on by default, as in Sockudo. */
    static HeraldConfig.MetricsConfig metrics(ConfigTree tree) {
        HeraldConfig.MetricsConfig off = HeraldConfig.MetricsConfig.off();
        tree.driver("metrics.driver", "METRICS_DRIVER", "prometheus", List.of("prometheus"), List.of("prometheus"));
        String prefix = tree.optionalString("metrics.prometheus.prefix", "METRICS_PROMETHEUS_PREFIX");
        if (prefix == null) {
            prefix = off.prefix();
        } else if (!prefix.matches("[a-zA-Z_:][a-zA-Z0-9_:]*|")) {
            String key = "metrics.prometheus.prefix";
            throw tree.invalidHere(key, "METRICS_PROMETHEUS_PREFIX", ConfigException.expected(
                    tree.nameOf(key, "METRICS_PROMETHEUS_PREFIX"), "letters, digits, '_' and ':', not starting with a digit",
                    JsonValues.quote(prefix)));
        }
        return new HeraldConfig.MetricsConfig(
                tree.bool("metrics.enabled", "METRICS_ENABLED", true),
                tree.string("metrics.host", "METRICS_HOST", off.host()),
                tree.integer("metrics.port", "METRICS_PORT", off.port(), 0, 65535),
                prefix);
    }

    /**
     * {@code health_check.*} (seconds), as the scaling guide prints it. Sockudo's own
     * {@code health_check_timeout_ms} (how long one backend's check may take) sets the timeout
     * too, rounded up to seconds; not both.
     */
    static HeraldConfig.HealthCheckConfig healthCheck(ConfigTree tree) {
        HeraldConfig.HealthCheckConfig defaults = HeraldConfig.HealthCheckConfig.defaults();
        int timeout = defaults.timeoutSeconds();
        if (tree.isSet("health_check_timeout_ms", "HEALTH_CHECK_TIMEOUT_MS")) {
            if (tree.isSet("health_check.timeout", "HEALTH_CHECK_TIMEOUT")) {
                throw new ConfigException(tree.nameOf("health_check_timeout_ms", "HEALTH_CHECK_TIMEOUT_MS") + " and "
                        + tree.nameOf("health_check.timeout", "HEALTH_CHECK_TIMEOUT") + " both set the backend check timeout;"
                        + " give one");
            }
            int millis = tree.integer("health_check_timeout_ms", "HEALTH_CHECK_TIMEOUT_MS", 2000, 1, 3_600_000);
            timeout = (millis + 999) / 1000;
        }
        return new HeraldConfig.HealthCheckConfig(
                tree.bool("health_check.enabled", "HEALTH_CHECK_ENABLED", defaults.enabled()),
                tree.integer("health_check.interval", "HEALTH_CHECK_INTERVAL", defaults.intervalSeconds(), 1, 86_400),
                tree.integer("health_check.timeout", "HEALTH_CHECK_TIMEOUT", timeout, 1, 3600));
    }
}
