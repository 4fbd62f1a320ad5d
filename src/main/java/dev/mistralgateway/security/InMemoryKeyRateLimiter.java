package dev.mistralgateway.security;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mistralgateway.config.GatewayConfig;
import dev.mistralgateway.cost.RollingHour;

/**
 * {@link KeyRateLimiter} in this replica's memory: a token bucket per key (refilled continuously at the per-minute
 * rate, bursting up to it), and a 60-minute sliding count of Mistral tokens per key in one-minute buckets.
 */
@ApplicationScoped
public class InMemoryKeyRateLimiter implements KeyRateLimiter {

    private final OptionalInt requestsPerMinute;
    private final OptionalLong hourlyTokens;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, RollingHour> tokens = new ConcurrentHashMap<>();

    InMemoryKeyRateLimiter(GatewayConfig config) {
        this.requestsPerMinute = config.keyLimits().requestsPerMinute();
        this.hourlyTokens = config.keyLimits().hourlyTokens();
    }

    @Override
    public Optional<Duration> tryAcquire(String key) {
        if (requestsPerMinute.isEmpty()) {
            return Optional.empty();
        }
        return buckets.computeIfAbsent(key, k -> new Bucket(requestsPerMinute.getAsInt())).take();
    }

    @Override
    public Optional<Duration> tokensExhausted(String key) {
        if (hourlyTokens.isEmpty()) {
            return Optional.empty();
        }
        RollingHour window = tokens.get(key);
        return window == null ? Optional.empty() : window.untilBelow(hourlyTokens.getAsLong());
    }

    @Override
    public void addTokens(String key, long used) {
        if (hourlyTokens.isPresent()) {
            tokens.computeIfAbsent(key, k -> new RollingHour()).add(used);
        }
    }

    private static final class Bucket {
        private final double capacity;
        private final double perNano;
        private double available;
        private long refilledAt = System.nanoTime();

        Bucket(int perMinute) {
            this.capacity = perMinute;
            this.perNano = perMinute / 60e9;
            this.available = perMinute;
        }

        synchronized Optional<Duration> take() {
            long now = System.nanoTime();
            available = Math.min(capacity, available + (now - refilledAt) * perNano);
            refilledAt = now;
            if (available >= 1) {
                available -= 1;
                return Optional.empty();
            }
            return Optional.of(Duration.ofNanos((long) Math.ceil((1 - available) / perNano)));
        }
    }
}
