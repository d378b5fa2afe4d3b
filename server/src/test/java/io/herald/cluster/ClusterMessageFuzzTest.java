package io.herald.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;

/**
 * Fuzzing the decoder of messages between nodes: any bytes on the bus (another build, a damaged
 * message, a stranger publishing on our prefix) decode to a message or to null, never to an
 * exception, and what decodes re-encodes to the same bytes. The corpus is under
 * src/test/resources/io/herald/cluster/ClusterMessageFuzzTestInputs; see README, Tests.
 */
class ClusterMessageFuzzTest {
    @FuzzTest(maxDuration = "3m")
    void decodeNeverThrowsAndRoundTrips(byte[] bytes) {
        ClusterMessage message = ClusterMessage.decode(bytes);
        if (message == null) {
            return;
        }
        assertThat(message.bodyOffset()).isBetween(0, bytes.length);
        assertThat(message.bodyLength()).isEqualTo(bytes.length - message.bodyOffset());
        for (int i = 0; i <= message.fields().length; i++) {
            message.field(i); // past the last field: null, not an exception
        }
        byte[] again = ClusterMessage.encode(message.kind(), message.sender(), message.target(),
                Unpooled.wrappedBuffer(message.body()), message.fields());
        assertThat(ClusterMessage.decode(again)).satisfies(decoded -> {
            assertThat(decoded.kind()).isEqualTo(message.kind());
            assertThat(decoded.sender()).isEqualTo(message.sender());
            assertThat(decoded.target()).isEqualTo(message.target());
            assertThat(decoded.fields()).containsExactly(message.fields());
            assertThat(decoded.body()).isEqualTo(message.body());
        });
    }
}
