package io.herald.transport;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;

/** A request URI's decoded path and query parameters (the HTTP API signs the decoded values). */
record RequestTarget(String path, Map<String, List<String>> params) {

    /**
     * Decodes {@code uri} at once (Netty's decoder is lazy and would throw later, wherever the
     * path is first read).
     *
     * @throws IllegalArgumentException for a malformed percent-escape, such as {@code /apps/%zz}
     */
    static RequestTarget parse(String uri) {
        QueryStringDecoder decoder = new QueryStringDecoder(uri);
        return new RequestTarget(decoder.path(), decoder.parameters());
    }
}
