package dev.mistralgateway.cost;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one admitted Mistral call may cost at most (its prompt, estimated, plus {@code max_tokens} at the model's output
 * price), counted against the budget and the key's hourly tokens before the call: settled once with what the call
 * used, or released in full when it used nothing. {@link #NONE} when no such limit is set. Its id, unique in the fleet,
 * is how the store frees it: once, whatever reaches the store twice or late.
 */
public final class Reservation {

    static final Reservation NONE = new Reservation(null, 0, 0);
    /** This process' prefix of reservation ids, and a counter: unique across pods without a random number per call. */
    private static final String PROCESS = UUID.randomUUID().toString().substring(0, 13);
    private static final AtomicLong COUNTER = new AtomicLong();

    final String id;
    final String key;
    final long nanoUsd;
    final long tokens;
    private final AtomicBoolean open;

    Reservation(String key, long nanoUsd, long tokens) {
        this.id = key == null ? null : PROCESS + Long.toString(COUNTER.incrementAndGet(), 36);
        this.key = key;
        this.nanoUsd = nanoUsd;
        this.tokens = tokens;
        this.open = new AtomicBoolean(key != null);
    }

    /** True once: the caller settles or releases it. */
    boolean close() {
        return open.compareAndSet(true, false);
    }
}
