package io.herald.bench.http;

import java.nio.charset.StandardCharsets;

/**
 * Request bodies of the bench's publishes. An event's {@code data} is the JSON text
 * {@code {"s":SEQ,"t":NANOS,"p":"xxx..."}} sent as a string (as the official libraries do), padded
 * with {@code p} to about {@code payloadBytes}; {@code s} is the sequence number (negative during
 * warm-up) and {@code t} the System.nanoTime() at which the publish was meant to be sent.
 */
public final class Payloads {
    public static final String EVENT_NAME = "bench";

    private final int payloadBytes;
    private final String padding;

    public Payloads(int payloadBytes) {
        this.payloadBytes = payloadBytes;
        this.padding = "x".repeat(Math.max(0, payloadBytes));
    }

    /** The data string (before JSON-string encoding). */
    String data(long seq, long nanos) {
        String head = "{\"s\":" + seq + ",\"t\":" + nanos + ",\"p\":\"";
        int pad = Math.max(0, payloadBytes - head.length() - 2);
        return head + padding.substring(0, Math.min(pad, padding.length())) + "\"}";
    }

    /** The data as a JSON string literal: quotes escaped (digits and 'x' need nothing else). */
    private String quotedData(long seq, long nanos) {
        return "\"" + data(seq, nanos).replace("\"", "\\\"") + "\"";
    }

    /** Body of POST /apps/{id}/events for one channel. */
    public byte[] event(String channel, long seq, long nanos) {
        String body = "{\"name\":\"" + EVENT_NAME + "\",\"channels\":[\"" + channel + "\"],\"data\":" + quotedData(seq, nanos) + "}";
        return body.getBytes(StandardCharsets.UTF_8);
    }

    /** Body of POST /apps/{id}/batch_events: event i goes to channels[i] with sequence firstSeq + i (or firstSeq - i when negative). */
    public byte[] batch(String[] channels, long firstSeq, long nanos) {
        StringBuilder sb = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < channels.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            long seq = firstSeq < 0 ? firstSeq - i : firstSeq + i;
            sb.append("{\"name\":\"").append(EVENT_NAME).append("\",\"channel\":\"").append(channels[i])
                    .append("\",\"data\":").append(quotedData(seq, nanos)).append('}');
        }
        return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }
}
