package io.herald.bench.scenario;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;

/**
 * One resource sampled over a soak (heap after GC, RSS, open files): first, last, min, max and the
 * least-squares slope per hour. It is "flat" when the fitted growth over the sampled span stays
 * within a tolerance: {@code relative} of the first value, but never less than {@code floor}
 * (small absolute wobbles, such as a few connections in churn, are not a trend).
 */
record Series(int count, double first, double last, double min, double max, double slopePerHour, double spanHours) {
    /** Samples at {@code seconds} with {@code values}; NaN values (not read) are skipped. */
    static Series of(double[] seconds, double[] values) {
        int n = 0;
        double sx = 0;
        double sy = 0;
        double first = Double.NaN;
        double last = Double.NaN;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double t0 = Double.NaN;
        double t1 = Double.NaN;
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (Double.isNaN(v)) {
                continue;
            }
            double h = seconds[i] / 3600.0;
            if (n == 0) {
                first = v;
                t0 = h;
            }
            last = v;
            t1 = h;
            min = Math.min(min, v);
            max = Math.max(max, v);
            sx += h;
            sy += v;
            n++;
        }
        double slope = Double.NaN;
        if (n >= 2) {
            double mx = sx / n;
            double my = sy / n;
            double num = 0;
            double den = 0;
            for (int i = 0; i < values.length; i++) {
                if (!Double.isNaN(values[i])) {
                    double dx = seconds[i] / 3600.0 - mx;
                    num += dx * (values[i] - my);
                    den += dx * dx;
                }
            }
            slope = den == 0 ? 0 : num / den;
        }
        return new Series(n, first, last, n == 0 ? Double.NaN : min, n == 0 ? Double.NaN : max, slope, n == 0 ? 0 : t1 - t0);
    }

    /** The fitted change from the first sample to the last. */
    double growth() {
        return slopePerHour * spanHours;
    }

    double tolerance(double relative, double floor) {
        return Math.max(relative * Math.abs(first), floor);
    }

    /** Null when fewer than three samples were read (no trend can be told). */
    Boolean flat(double relative, double floor) {
        if (count < 3) {
            return null;
        }
        return growth() <= tolerance(relative, floor);
    }

    ObjectNode toJson(double relative, double floor) {
        ObjectNode o = Json.object();
        o.put("samples", count);
        if (count == 0) {
            return o;
        }
        o.put("first", Json.round3(first));
        o.put("last", Json.round3(last));
        o.put("min", Json.round3(min));
        o.put("max", Json.round3(max));
        if (count >= 2) {
            o.put("slope_per_hour", Json.round3(slopePerHour));
            o.put("growth", Json.round3(growth()));
        }
        o.put("tolerance", Json.round3(tolerance(relative, floor)));
        Boolean flat = flat(relative, floor);
        if (flat == null) {
            o.putNull("flat");
        } else {
            o.put("flat", flat);
        }
        return o;
    }
}
