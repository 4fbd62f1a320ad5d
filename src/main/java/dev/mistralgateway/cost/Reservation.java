package dev.mistralgateway.cost;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What one admitted Mistral call may cost at most (its prompt, estimated, plus {@code max_tokens} at the model's output
 * price), counted against the budget and the key's hourly tokens before the call: settled once with what the call
 * used, or released in full when it used nothing. {@link #NONE} when no such limit is set.
 */
public final class Reservation {

    static final Reservation NONE = new Reservation(null, 0, 0);

    final String key;
    final long nanoUsd;
    final long tokens;
    private final AtomicBoolean open;

    Reservation(String key, long nanoUsd, long tokens) {
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
