package io.herald.bench.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/** What a publisher saw: responses by status, request latency, lag behind the intended send time. */
public final class PublishStats {
    public final Histogram requestMicros = new Histogram(TimeUnit.HOURS.toMicros(1), 3);
    public final Histogram sendLagMicros = new Histogram(TimeUnit.HOURS.toMicros(1), 3);
    public final Map<String, Long> errors = new TreeMap<>();
    public String firstError;
    public long ok;
    public long failed;

    void record(int status, long sentNanos, long receivedNanos, String errorBody, boolean measured) {
        if (status / 100 == 2) {
            ok++;
        } else {
            failed++;
            errors.merge(status < 0 ? "connection" : Integer.toString(status), 1L, Long::sum);
            if (firstError == null) {
                firstError = (status < 0 ? "" : status + " ") + Json.abbreviate(errorBody, 300);
            }
        }
        if (measured) {
            requestMicros.recordValue(clamp((receivedNanos - sentNanos) / 1000, requestMicros));
        }
    }

    static long clamp(long micros, Histogram h) {
        return Math.max(0, Math.min(micros, h.getHighestTrackableValue()));
    }

    public ObjectNode errorsJson() {
        ObjectNode node = Json.object();
        errors.forEach(node::put);
        return node;
    }
}
