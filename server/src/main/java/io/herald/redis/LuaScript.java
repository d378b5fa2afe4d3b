package io.herald.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/**
 * A Lua script run by its SHA-1 (EVALSHA), sent whole (EVAL) only when the server does not know it
 * yet: after a restart, or on a Redis Cluster shard that never ran it.
 */
public final class LuaScript {
    private final String source;
    private final String sha;

    public LuaScript(String source) {
        this.source = source;
        try {
            this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JVM", e);
        }
    }

    /** Runs on the server that holds {@code keys} (they must share a hash slot on a Redis Cluster). */
    public <T> CompletableFuture<T> run(RedisClusterAsyncCommands<String, String> redis, ScriptOutputType type,
                                        String[] keys, String... args) {
        return redis.<T>evalsha(sha, type, keys, args).toCompletableFuture()
                .handle((result, error) -> isNoScript(error)
                        ? redis.<T>eval(source, type, keys, args).toCompletableFuture()
                        : error != null ? CompletableFuture.<T>failedFuture(error) : CompletableFuture.completedFuture(result))
                .thenCompose(result -> result);
    }

    private static boolean isNoScript(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && cause.getMessage().startsWith("NOSCRIPT")) {
                return true;
            }
        }
        return false;
    }
}
