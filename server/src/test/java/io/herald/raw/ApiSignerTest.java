package io.herald.raw;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The test helper's signatures reproduce the protocol notes' vectors (section 7). */
class ApiSignerTest {
    private static final String KEY = "278d425bdf160c739803";
    private static final String SECRET = "7ad3773142a6692b25b8";

    @Test
    void httpApiVector() {
        String body = "{\"name\":\"foo\",\"channels\":[\"project-3\"],\"data\":\"{\\\"some\\\":\\\"data\\\"}\"}";
        String md5 = ApiSigner.md5Hex(body);
        assertThat(md5).isEqualTo("ec365a775a4cd0599faeb73354201b6f");

        Map<String, String> params = new LinkedHashMap<>();
        params.put("auth_key", KEY);
        params.put("auth_timestamp", "1353088179");
        params.put("auth_version", "1.0");
        params.put("body_md5", md5);
        assertThat(ApiSigner.requestSignature(SECRET, "POST", "/apps/3/events", params))
                .isEqualTo("da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c");

        ApiClient client = new ApiClient(1, KEY, SECRET);
        assertThat(client.signedParams("POST", "/apps/3/events", body, 1353088179L, Map.of()))
                .containsEntry("body_md5", "ec365a775a4cd0599faeb73354201b6f")
                .containsEntry("auth_signature", "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c");
    }

    @Test
    void canonicalQueryLowercasesSortsAndSkipsSignature() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("B", "2");
        params.put("a", "1");
        params.put("auth_signature", "x");
        assertThat(ApiSigner.canonicalQuery(params)).isEqualTo("a=1&b=2");
    }

    /**
     * Pusher's published presence vector signs channel_data with name "Mr. Pusher" (as in
     * pusher-http-java's and other libraries' tests); the protocol notes print "Mr. Channels",
     * which gives 31935e7d... with the same formula.
     */
    @Test
    void channelAuthVectors() {
        assertThat(ApiSigner.channelAuth(KEY, SECRET, "1234.1234", "private-foobar"))
                .isEqualTo(KEY + ":58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4");
        assertThat(ApiSigner.presenceAuth(KEY, SECRET, "1234.1234", "presence-foobar",
                "{\"user_id\":10,\"user_info\":{\"name\":\"Mr. Pusher\"}}"))
                .isEqualTo(KEY + ":afaed3695da2ffd16931f457e338e6c9f2921fa133ce7dac49f529792be6304c");
    }
}
