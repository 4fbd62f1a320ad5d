package dev.mistralgateway.security;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import dev.mistralgateway.config.GatewayConfig;

/**
 * Counts failed authentications per client address: an address that failed more than
 * {@code gateway.auth.failures-per-minute} times (bursts up to as many) is refused without its key being looked at
 * until its allowance refills. Guessing keys then costs a minute per batch, and a flood of wrong keys costs the
 * gateway a map lookup per request. At most {@value #MAX_ADDRESSES} addresses are remembered; addresses whose
 * allowance is whole again are forgotten first.
 */
@Singleton
public class FailedAuthThrottle {

    static final int MAX_ADDRESSES = 10_000;

    private final int perMinute;
    private final Map<String, TokenBucket> failures = new ConcurrentHashMap<>();

    FailedAuthThrottle(GatewayConfig config) {
        this.perMinute = config.auth().failuresPerMinute();
    }

    /** Empty when {@code address} may present a key; else how long until it may again. */
    public Optional<Duration> blocked(String address) {
        TokenBucket bucket = failures.get(address);
        return bucket == null ? Optional.empty() : bucket.peek();
    }

    /** Books one failed authentication of {@code address}. */
    public void failed(String address) {
        if (perMinute <= 0) {
            return;
        }
        if (failures.size() >= MAX_ADDRESSES && !failures.containsKey(address)) {
            failures.values().removeIf(TokenBucket::isFull);
            if (failures.size() >= MAX_ADDRESSES) {
                // More addresses failing at once than can be remembered: a distributed attack that only a
                // network-level defence can stop. The newest address is not tracked.
                return;
            }
        }
        failures.computeIfAbsent(address, a -> new TokenBucket(perMinute, Duration.ofMinutes(1))).take();
    }
}
