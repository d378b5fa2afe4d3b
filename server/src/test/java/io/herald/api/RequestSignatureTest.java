package io.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.app.App;
import io.herald.wire.Signatures;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The HTTP API test vector of the protocol spec, section 7, and the ways a request can fail it. */
class RequestSignatureTest {
    private static final App APP = App.of("3", "278d425bdf160c739803", "7ad3773142a6692b25b8");
    private static final String BODY = "{\"name\":\"foo\",\"channels\":[\"project-3\"],\"data\":\"{\\\"some\\\":\\\"data\\\"}\"}";
    private static final long TIMESTAMP = 1353088179;
    private static final String SIGNATURE = "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c";

    private static Map<String, List<String>> params(String signature) {
        Map<String, List<String>> params = new HashMap<>();
        params.put("auth_key", List.of(APP.key()));
        params.put("auth_timestamp", List.of(String.valueOf(TIMESTAMP)));
        params.put("auth_version", List.of("1.0"));
        params.put("body_md5", List.of("ec365a775a4cd0599faeb73354201b6f"));
        params.put("auth_signature", List.of(signature));
        return params;
    }

    private static ApiRequest request(Map<String, List<String>> params, String body) {
        return new ApiRequest("POST", "/apps/3/events", params, body.getBytes(StandardCharsets.UTF_8), ByteBufAllocator.DEFAULT);
    }

    @Test
    void specVectorBodyMd5AndSignature() {
        assertThat(Signatures.md5Hex(BODY.getBytes(StandardCharsets.UTF_8))).isEqualTo("ec365a775a4cd0599faeb73354201b6f");
        String toSign = RequestSignature.stringToSign("POST", "/apps/3/events", params(SIGNATURE));
        assertThat(Signatures.hmacSha256Hex(APP.secret(), toSign)).isEqualTo(SIGNATURE);
        assertThat(RequestSignature.problem(APP, request(params(SIGNATURE), BODY), TIMESTAMP + 10)).isNull();
    }

    @Test
    void staleTimestampIsRefused() {
        assertThat(RequestSignature.problem(APP, request(params(SIGNATURE), BODY), TIMESTAMP + 601))
                .contains("auth_timestamp").contains("600 s");
        assertThat(RequestSignature.problem(APP, request(params(SIGNATURE), BODY), TIMESTAMP - 601))
                .contains("auth_timestamp");
    }

    @Test
    void tamperedBodyOrSignatureIsRefused() {
        assertThat(RequestSignature.problem(APP, request(params(SIGNATURE), BODY.replace("foo", "bar")), TIMESTAMP))
                .isEqualTo("body_md5 does not match the body");
        assertThat(RequestSignature.problem(APP, request(params(SIGNATURE.replace('d', 'e')), BODY), TIMESTAMP))
                .startsWith("Invalid signature");
        Map<String, List<String>> withoutMd5 = params(SIGNATURE);
        withoutMd5.remove("body_md5");
        assertThat(RequestSignature.problem(APP, request(withoutMd5, BODY), TIMESTAMP)).contains("body_md5");
    }

    @Test
    void keyOfAnotherAppIsRefused() {
        Map<String, List<String>> params = params(SIGNATURE);
        params.put("auth_key", List.of("someone-else"));
        assertThat(RequestSignature.problem(APP, request(params, BODY), TIMESTAMP)).contains("auth_key");
    }
}
