package io.herald.app;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Apps listed in the configuration (`app_manager.driver: memory`, alias `array`). */
public final class MemoryAppManager implements AppManager {
    private final Map<String, CompletableFuture<Optional<App>>> byKey;
    private final Map<String, CompletableFuture<Optional<App>>> byId;
    private static final CompletableFuture<Optional<App>> NONE = CompletableFuture.completedFuture(Optional.empty());
    private final int count;

    public MemoryAppManager(List<App> apps) {
        this.count = apps.size();
        // Answers are precomputed: a lookup on the connect path allocates nothing.
        this.byKey = index(apps, App::key);
        this.byId = index(apps, App::id);
    }

    private static Map<String, CompletableFuture<Optional<App>>> index(List<App> apps, Function<App, String> field) {
        return apps.stream().collect(Collectors.toUnmodifiableMap(
                field, app -> CompletableFuture.completedFuture(Optional.of(app))));
    }

    @Override
    public CompletableFuture<Optional<App>> findByKey(String key) {
        return byKey.getOrDefault(key, NONE);
    }

    @Override
    public CompletableFuture<Optional<App>> findById(String id) {
        return byId.getOrDefault(id, NONE);
    }

    @Override
    public String describe() {
        return "memory (" + count + " app(s) from the configuration)";
    }
}
