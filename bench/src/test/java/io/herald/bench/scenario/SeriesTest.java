package io.herald.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SeriesTest {
    @Test
    void slopeIsPerHourAndGrowthIsOverTheSpan() {
        // +100 KB every 30 s over 30 minutes: 12,000 KB per hour, 6,000 KB over the run.
        int n = 61;
        double[] t = new double[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = 30.0 * i;
            v[i] = 100_000 + 100.0 * i;
        }
        Series s = Series.of(t, v);
        assertEquals(12_000, s.slopePerHour(), 1e-6);
        assertEquals(6_000, s.growth(), 1e-6);
        assertEquals(100_000, s.first());
        assertEquals(106_000, s.last());
        assertEquals(5_000, s.tolerance(0.05, 1024), 1e-9);
        assertFalse(s.flat(0.05, 1024));
        assertTrue(s.flat(0.10, 1024));
    }

    @Test
    void unreadSamplesAreSkippedAndTwoSamplesTellNoTrend() {
        Series s = Series.of(new double[] {0, 30, 60}, new double[] {Double.NaN, 10, 10});
        assertEquals(2, s.count());
        assertEquals(0, s.slopePerHour());
        assertNull(s.flat(0.05, 1));
        assertTrue(Series.of(new double[] {0, 30, 60}, new double[] {10, 20, 10}).flat(0, 0.0));
    }
}
