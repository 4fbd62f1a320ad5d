package dev.mistralgateway.state;

import java.time.Duration;
import java.util.Optional;

/**
 * A sum over the rolling last 60 minutes, in one-minute buckets: what spend and token limits are measured against.
 * Thread-safe; cheap enough to read on every request.
 */
final class RollingHour {

    private static final int MINUTES = 60;

    private final long[] bucketMinute = new long[MINUTES];
    private final double[] bucketValue = new double[MINUTES];

    synchronized void add(double value) {
        long now = minuteNow();
        int i = (int) Math.floorMod(now, (long) MINUTES);
        if (bucketMinute[i] != now) {
            bucketMinute[i] = now;
            bucketValue[i] = 0;
        }
        bucketValue[i] += value;
    }

    synchronized double sum() {
        long now = minuteNow();
        double sum = 0;
        for (int i = 0; i < MINUTES; i++) {
            if (now - bucketMinute[i] < MINUTES) {
                sum += bucketValue[i];
            }
        }
        return sum;
    }

    /** Empty while the sum is under {@code limit}; else how long until enough old minutes leave the window. */
    synchronized Optional<Duration> untilBelow(double limit) {
        double sum = sum();
        if (sum < limit) {
            return Optional.empty();
        }
        long now = minuteNow();
        long nowMillis = System.currentTimeMillis();
        // Oldest minutes leave the window first: find when enough of them have left.
        for (long minute = now - MINUTES + 1; minute <= now; minute++) {
            int i = (int) Math.floorMod(minute, (long) MINUTES);
            if (bucketMinute[i] == minute) {
                sum -= bucketValue[i];
            }
            if (sum < limit) {
                return Optional.of(Duration.ofMillis(Math.max(1000, (minute + MINUTES) * 60_000 - nowMillis)));
            }
        }
        return Optional.of(Duration.ofMinutes(MINUTES));
    }

    /**
     * As {@link #untilBelow(double)}, with {@code held} (reservations of calls in flight) on top of the sum: empty
     * while both together are under {@code limit}; a second while only the calls in flight hold it (they settle
     * within a call's time); else until enough old minutes leave the window for the sum alone.
     */
    synchronized Optional<Duration> untilBelow(double limit, double held) {
        if (sum() + held < limit) {
            return Optional.empty();
        }
        return untilBelow(limit).or(() -> Optional.of(Duration.ofSeconds(1)));
    }

    private static long minuteNow() {
        return System.currentTimeMillis() / 60_000;
    }
}
