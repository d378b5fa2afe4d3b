package io.herald.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.ratelimit.MemoryRateLimiter;
import io.herald.ratelimit.RateLimiter.Decision;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The memory driver with a hand-moved clock: fixed windows per key, refusals with Retry-After, bounded keys. */
class MemoryRateLimiterTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final MemoryRateLimiter limiter = new MemoryRateLimiter(100, now::get);

    private Decision hit(String key) {
        return limiter.tryAcquire(key, 3, 60).join();
    }

    private void advanceSeconds(long seconds) {
        now.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    }

    @Test
    void fourthHitInTheWindowIsRefusedWithTheTimeLeft() {
        assertThat(hit("api:1.1.1.1").allowed()).isTrue();
        advanceSeconds(10);
        assertThat(hit("api:1.1.1.1").allowed()).isTrue();
        assertThat(hit("api:1.1.1.1").allowed()).isTrue();
        Decision fourth = hit("api:1.1.1.1");
        assertThat(fourth.allowed()).isFalse();
        assertThat(fourth.retryAfterSeconds()).as("the window opened 10 s ago and lasts 60 s").isEqualTo(50);
        assertThat(hit("api:1.1.1.1").allowed()).as("refusals keep being refused").isFalse();
    }

    @Test
    void keysAreCountedApart() {
        for (int i = 0; i < 3; i++) {
            assertThat(hit("api:1.1.1.1").allowed()).isTrue();
        }
        assertThat(hit("api:1.1.1.1").allowed()).isFalse();
        assertThat(hit("api:2.2.2.2").allowed()).isTrue();
        assertThat(hit("ws:1.1.1.1").allowed()).as("another scope of the same address").isTrue();
    }

    @Test
    void aNewWindowOpensWhenTheOldOneEnds() {
        for (int i = 0; i < 4; i++) {
            hit("api:1.1.1.1");
        }
        advanceSeconds(59);
        assertThat(hit("api:1.1.1.1").allowed()).isFalse();
        advanceSeconds(1);
        assertThat(hit("api:1.1.1.1").allowed()).isTrue();
        assertThat(hit("api:1.1.1.1").allowed()).isTrue();
        assertThat(hit("api:1.1.1.1").allowed()).isTrue();
        assertThat(hit("api:1.1.1.1").allowed()).isFalse();
    }

    @Test
    void memoryIsBounded() {
        for (int i = 0; i < 1000; i++) {
            hit("api:10.0." + (i / 256) + "." + (i % 256));
        }
        assertThat(limiter.trackedKeys()).as("at most maxKeys").isLessThanOrEqualTo(100);
        advanceSeconds(61);
        assertThat(limiter.trackedKeys()).as("ended windows are dropped").isZero();
    }
}
