package dev.mistralgateway.state;

import java.time.Duration;
import java.util.Optional;

/**
 * A sum over a rolling window in equal buckets: the last 60 minutes by the minute (what spend and token limits are
 * measured against), the last 24 hours by the hour, the last 30 days by the day (a key's budgets, {@link Window}).
 * Thread-safe; cheap enough to read on every request.
 */
final class RollingWindow {

    private final long bucketMillis;
    private final int buckets;
    private final long[] bucketNumber;
    private final double[] bucketValue;

    RollingWindow(Window window) {
        this.bucketMillis = window.bucketMillis();
        this.buckets = window.buckets();
        this.bucketNumber = new long[buckets];
        this.bucketValue = new double[buckets];
    }

    /** The rolling last 60 minutes, by the minute. */
    static RollingWindow hour() {
        return new RollingWindow(Window.HOUR);
    }

    synchronized void add(double value) {
        long now = bucketNow();
        int i = (int) Math.floorMod(now, (long) buckets);
        if (bucketNumber[i] != now) {
            bucketNumber[i] = now;
            bucketValue[i] = 0;
        }
        bucketValue[i] += value;
    }

    synchronized double sum() {
        long now = bucketNow();
        double sum = 0;
        for (int i = 0; i < buckets; i++) {
            if (now - bucketNumber[i] < buckets) {
                sum += bucketValue[i];
            }
        }
        return sum;
    }

    /** Empty while the sum is under {@code limit}; else how long until enough old buckets leave the window. */
    synchronized Optional<Duration> untilBelow(double limit) {
        double sum = sum();
        if (sum < limit) {
            return Optional.empty();
        }
        long now = bucketNow();
        long nowMillis = System.currentTimeMillis();
        // Oldest buckets leave the window first: find when enough of them have left.
        for (long bucket = now - buckets + 1; bucket <= now; bucket++) {
            int i = (int) Math.floorMod(bucket, (long) buckets);
            if (bucketNumber[i] == bucket) {
                sum -= bucketValue[i];
            }
            if (sum < limit) {
                return Optional.of(Duration.ofMillis(Math.max(1000, (bucket + buckets) * bucketMillis - nowMillis)));
            }
        }
        return Optional.of(Duration.ofMillis(buckets * bucketMillis));
    }

    /**
     * As {@link #untilBelow(double)}, with {@code held} (reservations of calls in flight) on top of the sum: empty
     * while both together are under {@code limit}; a second while only the calls in flight hold it (they settle
     * within a call's time); else until enough old buckets leave the window for the sum alone.
     */
    synchronized Optional<Duration> untilBelow(double limit, double held) {
        if (sum() + held < limit) {
            return Optional.empty();
        }
        return untilBelow(limit).or(() -> Optional.of(Duration.ofSeconds(1)));
    }

    private long bucketNow() {
        return System.currentTimeMillis() / bucketMillis;
    }
}
