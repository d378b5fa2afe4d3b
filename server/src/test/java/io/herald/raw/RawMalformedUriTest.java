package io.herald.raw;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Herald;
import io.herald.testing.TestServers;
import org.junit.jupiter.api.Test;

/**
 * A request URI with a malformed percent-escape (seen while writing HttpApiFuzzTest) used to
 * close the socket without an answer, from inside Netty's lazy decoder; it is a 400 now.
 */
class RawMalformedUriTest {
    @Test
    void aMalformedPercentEscapeIsAnswered400() throws Exception {
        try (Herald herald = TestServers.start()) {
            for (String uri : new String[] {"/apps/%zz/events", "/apps/app-id/channels?filter_by_prefix=%E0%A4%A", "/app/%"}) {
                try (RawHttp http = RawHttp.open(herald.port())) {
                    http.write("GET " + uri + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                    RawHttp.Response response = http.read();
                    assertThat(response.status()).as(uri).isEqualTo(400);
                    assertThat(response.body()).as(uri).startsWith("{\"error\":\"Malformed request URI: ");
                }
            }
            assertThat(TestServers.up(herald).statusCode()).isEqualTo(200);
        }
    }
}
