package io.herald.bench.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameScannerTest {
    private final FrameScanner scanner = new FrameScanner();

    private boolean scan(String frame) {
        ByteBuf buf = Unpooled.copiedBuffer(frame, StandardCharsets.UTF_8);
        try {
            return scanner.scan(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void readsSequenceAndTimeFromAStringEncodedData() {
        assertTrue(scan("{\"event\":\"bench\",\"channel\":\"bench-1\",\"data\":\"{\\\"s\\\":17,\\\"t\\\":987654321,\\\"p\\\":\\\"xx\\\"}\"}"));
        assertEquals(17, scanner.seq);
        assertEquals(987654321L, scanner.sentNanos);
    }

    @Test
    void readsNegativeWarmupSequenceAndObjectData() {
        assertTrue(scan("{\"channel\":\"c\",\"event\":\"bench\",\"data\":{\"s\":-3,\"t\":5}}"));
        assertEquals(-3, scanner.seq);
        assertEquals(5, scanner.sentNanos);
    }

    @Test
    void leavesProtocolEventsToTheSlowPath() {
        assertFalse(scan("{\"event\":\"pusher:connection_established\",\"data\":\"{\\\"socket_id\\\":\\\"1.2\\\",\\\"activity_timeout\\\":120}\"}"));
        assertFalse(scan("{\"event\":\"pusher_internal:subscription_succeeded\",\"channel\":\"bench-0\",\"data\":\"{}\"}"));
        assertFalse(scan("{\"event\":\"pusher:ping\",\"data\":{}}"));
    }
}
