package io.herald.protocol;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The one shared, thread-safe Jackson mapper. */
public final class Jsons {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Jsons() {}
}
