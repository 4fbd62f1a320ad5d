package dev.mistralgateway.state;

import java.util.Locale;

/**
 * The rolling windows a key's USD budget is counted over, each in equal buckets: the same buckets in memory and on
 * Redis, so that a budget frees the same way in both.
 */
public enum Window {
    HOUR(60_000, 60), DAY(3_600_000, 24), MONTH(86_400_000, 30);

    private final long bucketMillis;
    private final int buckets;

    Window(long bucketMillis, int buckets) {
        this.bucketMillis = bucketMillis;
        this.buckets = buckets;
    }

    long bucketMillis() {
        return bucketMillis;
    }

    int buckets() {
        return buckets;
    }

    /** The {@code window} label of the key budget metrics. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
