package io.herald.bench.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The HTTP API test vector of the protocol notes (section 7). */
class ApiSignerTest {
    @Test
    void signsTheSpecTestVector() {
        ApiSigner signer = new ApiSigner("278d425bdf160c739803", "7ad3773142a6692b25b8");
        byte[] body = "{\"name\":\"foo\",\"channels\":[\"project-3\"],\"data\":\"{\\\"some\\\":\\\"data\\\"}\"}"
                .getBytes(StandardCharsets.UTF_8);
        String uri = signer.signedUri("POST", "/apps/3/events", body, 1353088179L);
        assertTrue(uri.startsWith("/apps/3/events?"), uri);
        assertTrue(uri.contains("body_md5=ec365a775a4cd0599faeb73354201b6f"), uri);
        assertTrue(uri.endsWith("&auth_signature=da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c"), uri);
    }

    @Test
    void payloadCarriesSequenceAndTimeAsAJsonString() {
        String body = new String(new Payloads(100).event("bench-3", 42, 123456789L), StandardCharsets.UTF_8);
        assertTrue(body.startsWith("{\"name\":\"bench\",\"channels\":[\"bench-3\"],\"data\":\"{\\\"s\\\":42,\\\"t\\\":123456789,"), body);
        String data = new Payloads(100).data(42, 123456789L);
        assertEquals(100, data.length());
    }
}
