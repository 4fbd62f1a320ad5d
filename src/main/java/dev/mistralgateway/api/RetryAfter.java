package dev.mistralgateway.api;

import java.time.Duration;

/** One rounding for every wait the gateway announces: the {@code Retry-After} header and "retry in N s" messages agree. */
public final class RetryAfter {

    private RetryAfter() {
    }

    /** Whole seconds, rounded up, at least 1: what Retry-After can carry, and never shorter than the real wait. */
    public static long seconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }
}
