package io.herald.api;

import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.Map;

/** One HTTP API request: decoded query parameters and the raw body (signed as-is). */
public record ApiRequest(String method, String path, Map<String, List<String>> params, byte[] body,
                         ByteBufAllocator alloc) {

    public String param(String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
