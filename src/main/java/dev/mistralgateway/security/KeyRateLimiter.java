package dev.mistralgateway.security;

import java.time.Duration;
import java.util.Optional;

/**
 * Per-key request and token limits. The in-memory implementation counts per replica; a shared store (Redis) can
 * implement this interface so that several replicas share one count per key.
 */
public interface KeyRateLimiter {

    /** Takes one request from the key's allowance; empty when allowed, else how long until it would be. */
    Optional<Duration> tryAcquire(String key);

    /** Whether the key still has tokens left this hour; empty when it has, else how long until it has again. */
    Optional<Duration> tokensExhausted(String key);

    /** Books the Mistral tokens one of the key's requests used. */
    void addTokens(String key, long tokens);
}
