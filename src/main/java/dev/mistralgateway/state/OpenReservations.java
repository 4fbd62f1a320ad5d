package dev.mistralgateway.state;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the calls in flight in this pod have reserved, by reservation id: freed by the id when a call settles, and
 * after {@code gateway.state.reservation-ttl} when no settlement comes (a stream nobody read, a settlement lost), so
 * that no reservation holds budget forever. Held apart from the spend, whose rolling minutes would otherwise see a
 * reservation and its settlement in different minutes. Not thread-safe: {@link InMemoryStateStore} holds its lock.
 */
final class OpenReservations {

    /** One reservation; {@code shared}: Redis confirmed holding it too. */
    record Held(String key, long nanoUsd, long tokens, long expiresAt, boolean shared) {
    }

    private final long ttlNanos;
    /** In the order made, which is the order of expiry (one TTL for all). */
    private final LinkedHashMap<String, Held> held = new LinkedHashMap<>();
    private final Map<String, Long> tokensByKey = new HashMap<>();
    private final Map<String, Long> nanoUsdByKey = new HashMap<>();
    private long nanoUsd;

    OpenReservations(Duration ttl) {
        this.ttlNanos = ttl.toNanos();
    }

    void hold(String id, String key, long nanoUsd, long tokens) {
        expire();
        if (held.putIfAbsent(id, new Held(key, nanoUsd, tokens, System.nanoTime() + ttlNanos, false)) == null) {
            count(key, nanoUsd, tokens);
        }
    }

    /** Notes that Redis holds reservation {@code id} too. */
    void shared(String id) {
        held.computeIfPresent(id, (k, open) -> new Held(open.key(), open.nanoUsd(), open.tokens(), open.expiresAt(),
                true));
    }

    /** Frees reservation {@code id}: what it held, or null when it is not open (settled, expired, never made here). */
    Held free(String id) {
        Held freed = held.remove(id);
        if (freed != null) {
            count(freed.key(), -freed.nanoUsd(), -freed.tokens());
        }
        return freed;
    }

    long nanoUsd() {
        expire();
        return nanoUsd;
    }

    long nanoUsd(String key) {
        expire();
        return nanoUsdByKey.getOrDefault(key, 0L);
    }

    long tokens(String key) {
        expire();
        return tokensByKey.getOrDefault(key, 0L);
    }

    private void count(String key, long nanoUsd, long tokens) {
        this.nanoUsd += nanoUsd;
        add(nanoUsdByKey, key, nanoUsd);
        add(tokensByKey, key, tokens);
    }

    private static void add(Map<String, Long> counts, String key, long delta) {
        if (delta != 0) {
            counts.merge(key, delta, (a, b) -> a + b == 0 ? null : a + b);
        }
    }

    private void expire() {
        long now = System.nanoTime();
        for (Iterator<Held> oldest = held.values().iterator(); oldest.hasNext();) {
            Held next = oldest.next();
            if (next.expiresAt() - now > 0) {
                return;
            }
            oldest.remove();
            count(next.key(), -next.nanoUsd(), -next.tokens());
        }
    }
}
