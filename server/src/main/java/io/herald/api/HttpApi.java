package io.herald.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.app.App;
import io.herald.app.AppManager;
import io.herald.cache.ChannelCache;
import io.herald.channel.ConnectionQuota;
import io.herald.cluster.Adapter;
import io.herald.events.ServerEvents;
import io.herald.wire.Jsons;
import io.herald.ratelimit.AppRateLimits;
import io.herald.ratelimit.HttpRateLimits;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The HTTP API (protocol spec section 5) and the health endpoints. Every {@code /apps/{id}/...}
 * request is checked in this order: app exists (404), app enabled (403), signature (401), then
 * the endpoint's own validation (400 / 413) and the app's rate limits (429). The per-IP limits of
 * {@code rate_limiter} ({@link #requestLimits()}) are applied before any of this by the transport,
 * which knows the client's address.
 */
public final class HttpApi {
    private final AppManager apps;
    private final ConnectionQuota quota;
    private final Health health;
    private final Supplier<CompletableFuture<Boolean>> loopsRespond;
    private final PublishEndpoints publishing;
    private final ChannelQueries queries;
    private final Adapter adapter;
    private final ChannelCache cache;
    private final HttpRateLimits requestLimits;
    private final AppRateLimits appLimits;
    private final ServerEvents events;
    private final boolean usageEnabled;

    /**
     * {@code health} answers {@code /up}; {@code loopsRespond} completes with true once every event
     * loop ran a task ({@code /live}).
     */
    public HttpApi(AppManager apps, Adapter adapter, ChannelCache cache, ConnectionQuota quota, AppRateLimits appLimits,
                   HttpRateLimits requestLimits, ServerEvents events, Health health,
                   Supplier<CompletableFuture<Boolean>> loopsRespond) {
        this(apps, adapter, cache, quota, appLimits, requestLimits, events, health, loopsRespond, true);
    }

    /** {@code usageEnabled}: whether {@code GET /usage} answers (Sockudo's {@code http_api.usage_enabled}). */
    public HttpApi(AppManager apps, Adapter adapter, ChannelCache cache, ConnectionQuota quota, AppRateLimits appLimits,
                   HttpRateLimits requestLimits, ServerEvents events, Health health,
                   Supplier<CompletableFuture<Boolean>> loopsRespond, boolean usageEnabled) {
        this.usageEnabled = usageEnabled;
        this.appLimits = appLimits;
        this.events = events;
        this.apps = apps;
        this.quota = quota;
        this.health = health;
        this.loopsRespond = loopsRespond;
        this.publishing = new PublishEndpoints(adapter, cache, appLimits);
        this.queries = new ChannelQueries(adapter, cache);
        this.adapter = adapter;
        this.cache = cache;
        this.requestLimits = requestLimits;
    }

    /** The per-client-IP limits of {@code rate_limiter}, for the transport to apply to /apps/ requests and upgrades. */
    public HttpRateLimits requestLimits() {
        return requestLimits;
    }

    public CompletableFuture<ApiResponse> handle(ApiRequest request) {
        String[] parts = request.path().split("/", -1); // "" first, since paths start with '/'
        if (parts.length >= 3 && parts[1].equals("apps") && !parts[2].isEmpty()) {
            return apps.findById(parts[2]).handle((app, error) -> error != null ? completed(appsUnreadable(parts[2]))
                    : appEndpoint(app, parts, request).thenApply(response -> counted(app, request, response)))
                    .thenCompose(response -> response);
        }
        if (parts.length > 1 && !parts[1].equals("apps") && !request.method().equals("GET") && !request.method().equals("HEAD")
                && List.of("", "up", "usage", "live").contains(parts[1])) {
            // The health endpoints answer GET (and HEAD), as in Sockudo.
            return completed(ApiResponse.error(405, request.path() + " accepts GET only"));
        }
        if (parts.length == 3 && parts[1].equals("up") && !parts[2].isEmpty()) {
            return apps.findById(parts[2]).handle((app, error) -> error != null ? appsUnreadable(parts[2])
                    : app.isEmpty() ? ApiResponse.error(404, "App " + parts[2] + " does not exist")
                    : up());
        }
        if (request.path().equals("/live")) {
            return live();
        }
        return CompletableFuture.completedFuture(switch (request.path()) {
            case "/", "/up" -> up();
            case "/usage" -> usageEnabled ? usage() : ApiResponse.error(404, "Not found: /usage (http_api.usage_enabled is false)");
            default -> ApiResponse.error(404, "Not found: " + request.path());
        });
    }

    /** Counts a call of an app that exists (an id that is no app is not a label metrics should grow by). */
    private ApiResponse counted(Optional<App> app, ApiRequest request, ApiResponse response) {
        if (app.isPresent()) {
            events.apiCall(app.get().id(), request.body().length, response.body().length());
        }
        return response;
    }

    /** The app could not be looked up: its database does not answer and this node never read it. */
    private ApiResponse appsUnreadable(String appId) {
        return ApiResponse.error(503, "App " + appId + " cannot be read right now (" + apps.describe() + " does not answer); try again");
    }

    /** Readiness: 200 while this node can serve, 503 while a required backend is down or it drains. */
    private ApiResponse up() {
        Health.Report report = health.report();
        return ApiResponse.text(report.status(), report.body()).withHeader("X-Health-Check", report.state().name());
    }

    /**
     * Liveness: 200 while the process and every event loop respond, whatever the backends do, so
     * that an orchestrator never restarts a healthy node because Redis went away.
     */
    private CompletableFuture<ApiResponse> live() {
        return loopsRespond.get().handle((alive, error) -> error == null && Boolean.TRUE.equals(alive)
                ? ApiResponse.text(200, "OK")
                : ApiResponse.text(503, "An event loop did not respond"));
    }

    private ApiResponse usage() {
        Runtime runtime = Runtime.getRuntime();
        long total = runtime.maxMemory();
        long used = runtime.totalMemory() - runtime.freeMemory();
        ObjectNode body = Jsons.MAPPER.createObjectNode();
        body.putObject("memory")
                .put("free", total - used)
                .put("used", used)
                .put("total", total)
                .put("percent", Math.round(used * 10000.0 / total) / 100.0);
        body.put("connections", quota.total());
        return ApiResponse.json(200, body.toString());
    }

    private CompletableFuture<ApiResponse> appEndpoint(Optional<App> found, String[] parts, ApiRequest request) {
        ApiResponse refused = beforeTheBody(found, parts, request);
        if (refused != null) {
            return completed(refused);
        }
        App app = found.get();
        switch (parts[3]) {
            case "events" -> {
                return publishing.events(app, request);
            }
            case "batch_events" -> {
                return publishing.batchEvents(app, request);
            }
            case "channels" -> {
                Supplier<CompletableFuture<ApiResponse>> query = parts.length == 4 ? () -> queries.channels(app, request)
                        : parts.length == 5 ? () -> queries.channel(app, parts[4], request)
                        : () -> queries.users(app, parts[4]);
                return appLimits.tryReadRequest(app).thenCompose(allowed -> allowed ? query.get()
                        : completed(ApiResponse.error(429, "Too many requests: app " + app.id() + " allows "
                                + app.maxReadRequestsPerSecond() + " channel queries per second")));
            }
            default -> {
                adapter.terminateUserConnections(app.id(), parts[4]);
                return completed(ApiResponse.json(200, "{}"));
            }
        }
    }

    /**
     * The checks that need no body, in the documented order: app exists (404), app enabled (403),
     * signature (401), endpoint exists (404) and takes this method (405). Null when the request
     * passes them all.
     */
    private ApiResponse beforeTheBody(Optional<App> found, String[] parts, ApiRequest request) {
        if (found.isEmpty()) {
            return ApiResponse.error(404, "App " + parts[2] + " does not exist");
        }
        App app = found.get();
        if (!app.enabled()) {
            return ApiResponse.error(403, "App " + app.id() + " is disabled");
        }
        String authProblem = RequestSignature.problem(app, request, System.currentTimeMillis() / 1000);
        if (authProblem != null) {
            return ApiResponse.error(401, authProblem);
        }
        String method = request.method();
        String endpoint = parts.length >= 4 ? parts[3] : "";
        String takes = switch (endpoint + "/" + (parts.length - 4)) {
            case "events/0", "batch_events/0" -> "POST";
            case "channels/0", "channels/1" -> "GET";
            case "channels/2" -> parts[5].equals("users") ? "GET" : null;
            case "users/2" -> parts[5].equals("terminate_connections") ? "POST" : null;
            default -> null;
        };
        if (takes == null) {
            return ApiResponse.error(404, "Unknown API endpoint " + method + " " + request.path());
        }
        return method.equals(takes) ? null : ApiResponse.error(405, request.path() + " accepts " + takes + " only");
    }

    /**
     * The answer to a request whose body is over the limit ({@code tooLarge}, a 413), given without
     * its body: every check that comes before the body in the documented order is made first, so
     * that a wrong app, key, signature, path or method is told as such. Paths outside
     * {@code /apps/} read no body and are answered as they would be without one.
     */
    public CompletableFuture<ApiResponse> withoutOversizedBody(ApiRequest request, ApiResponse tooLarge) {
        String[] parts = request.path().split("/", -1);
        if (parts.length >= 3 && parts[1].equals("apps") && !parts[2].isEmpty()) {
            return apps.findById(parts[2]).handle((app, error) -> {
                if (error != null) {
                    return appsUnreadable(parts[2]);
                }
                ApiResponse refused = beforeTheBody(app, parts, request);
                return refused != null ? refused : tooLarge;
            });
        }
        return handle(request);
    }

    private static CompletableFuture<ApiResponse> completed(ApiResponse response) {
        return CompletableFuture.completedFuture(response);
    }
}
