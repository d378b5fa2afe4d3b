package io.herald.bench.worker;

import io.netty.buffer.ByteBuf;

/**
 * Finds the bench payload's sequence number and timestamp in a server frame without parsing it.
 * A delivered event is {@code {"event":"bench","channel":"c","data":"{\"s\":12,\"t\":3456,...}"}}
 * (data is a JSON-encoded string, so its quotes are escaped); a server that embeds data as an
 * object instead ({@code "data":{"s":12,...}}) is understood too. Anything else (pusher:* events)
 * returns false and goes to the slow path.
 */
final class FrameScanner {
    private static final byte[] S_ESCAPED = {'\\', '"', 's', '\\', '"', ':'};
    private static final byte[] T_ESCAPED = {'\\', '"', 't', '\\', '"', ':'};
    private static final byte[] S_PLAIN = {'"', 's', '"', ':'};
    private static final byte[] T_PLAIN = {'"', 't', '"', ':'};

    /** Results of the last successful {@link #scan}. */
    long seq;
    long sentNanos;

    /** True if the frame carries a bench payload; its numbers are then in {@link #seq} and {@link #sentNanos}. */
    boolean scan(ByteBuf buf) {
        int from = buf.readerIndex();
        int to = buf.writerIndex();
        int s = indexOf(buf, from, to, S_ESCAPED);
        byte[] tPattern = T_ESCAPED;
        int sLen = S_ESCAPED.length;
        if (s < 0) {
            s = indexOf(buf, from, to, S_PLAIN);
            if (s < 0) {
                return false;
            }
            tPattern = T_PLAIN;
            sLen = S_PLAIN.length;
        }
        int afterS = parseLong(buf, s + sLen, to);
        if (afterS < 0) {
            return false;
        }
        long seqValue = parsed;
        int t = indexOf(buf, afterS, to, tPattern);
        if (t < 0 || parseLong(buf, t + tPattern.length, to) < 0) {
            return false;
        }
        seq = seqValue;
        sentNanos = parsed;
        return true;
    }

    private long parsed;

    /** Parses an optional '-' and digits at {@code i}; returns the index after them, or -1. */
    private int parseLong(ByteBuf buf, int i, int to) {
        boolean negative = false;
        if (i < to && buf.getByte(i) == '-') {
            negative = true;
            i++;
        }
        int start = i;
        long value = 0;
        while (i < to) {
            byte b = buf.getByte(i);
            if (b < '0' || b > '9') {
                break;
            }
            value = value * 10 + (b - '0');
            i++;
        }
        if (i == start) {
            return -1;
        }
        parsed = negative ? -value : value;
        return i;
    }

    private static int indexOf(ByteBuf buf, int from, int to, byte[] pattern) {
        byte first = pattern[0];
        int last = to - pattern.length;
        outer:
        for (int i = from; i <= last; i++) {
            if (buf.getByte(i) != first) {
                continue;
            }
            for (int j = 1; j < pattern.length; j++) {
                if (buf.getByte(i + j) != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
