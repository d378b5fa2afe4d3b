package io.herald.config;

/**
 * The defaults where Herald deliberately differs from Sockudo, told once at start-up while they
 * are in force (the operator did not choose the value): a Sockudo operator must not find out
 * from behaviour alone. docs/sockudo-compatibility.md lists the same, with the reasons.
 */
final class Differences {

    private Differences() {}

    static void note(ConfigTree tree, HeraldConfig config) {
        if (!tree.isSet("rate_limiter.enabled", "RATE_LIMITER_ENABLED")) {
            tree.notes().info("Default differs from Sockudo: rate_limiter.enabled is false (Sockudo: true), since behind a"
                    + " load balancer every client shares its address unless trust_hops is set");
        }
        if (!tree.isSet("cors.credentials", "CORS_CREDENTIALS")) {
            tree.notes().info("Default differs from Sockudo: cors.credentials is false (Sockudo: true); the API is signed"
                    + " and needs no cookies");
        }
        if (!tree.isSet("webhooks.batching.enabled", "WEBHOOK_BATCHING_ENABLED")) {
            tree.notes().info("Default differs from Sockudo: webhooks.batching.enabled is false (Sockudo: true), so a"
                    + " webhook goes to its queue at once instead of waiting 50 ms in this node's memory");
        }
        if (!tree.isSet("http_max_body_kb", "HTTP_MAX_BODY_KB") && !tree.isSet("http_api.request_limit_in_mb", null)) {
            tree.notes().info("Default differs from Sockudo: HTTP API bodies are limited to " + config.httpMaxBodyKb()
                    + " KB (Sockudo: http_api.request_limit_in_mb 10)");
        }
        if (!tree.isSet("queue.driver", "QUEUE_DRIVER")) {
            tree.notes().info("Default differs from Sockudo: queue.driver is memory (Sockudo: redis); webhooks waiting in"
                    + " memory are lost if the node stops");
        }
        if (!config.adapter().driver().equals("local") && !tree.isSet("adapter.fallback_to_local", "ADAPTER_FALLBACK_TO_LOCAL")) {
            tree.notes().info("Default differs from Sockudo: no fallback to one node (Sockudo: adapter.fallback_to_local"
                    + " true); a cluster backend that cannot be reached stops start-up");
        }
    }
}
