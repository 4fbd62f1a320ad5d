package dev.mistralgateway.security;

import java.time.Duration;
import java.util.Optional;

/**
 * A token bucket: {@code capacity} tokens, refilled continuously at {@code capacity} per {@code period}. Thread-safe;
 * one lock per bucket, held for a few arithmetic operations.
 */
public final class TokenBucket {

    private final double capacity;
    private final double perNano;
    private double available;
    private long refilledAt = System.nanoTime();

    public TokenBucket(double capacity, Duration period) {
        if (capacity <= 0 || period.isZero() || period.isNegative()) {
            throw new IllegalArgumentException("a token bucket needs a positive capacity and period");
        }
        this.capacity = capacity;
        this.perNano = capacity / period.toNanos();
        this.available = capacity;
    }

    /** Takes a token; empty when one was there, else how long until one will be. */
    public synchronized Optional<Duration> take() {
        refill();
        if (available >= 1) {
            available -= 1;
            return Optional.empty();
        }
        return Optional.of(untilOne());
    }

    /** Empty while a token is there (none is taken), else how long until one will be. */
    public synchronized Optional<Duration> peek() {
        refill();
        return available >= 1 ? Optional.empty() : Optional.of(untilOne());
    }

    /** Whether the bucket is back to its capacity: it then remembers nothing and can be forgotten. */
    public synchronized boolean isFull() {
        refill();
        return available >= capacity;
    }

    private void refill() {
        long now = System.nanoTime();
        available = Math.min(capacity, available + (now - refilledAt) * perNano);
        refilledAt = now;
    }

    private Duration untilOne() {
        return Duration.ofNanos((long) Math.ceil((1 - available) / perNano));
    }
}
