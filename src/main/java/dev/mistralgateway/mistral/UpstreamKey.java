package dev.mistralgateway.mistral;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import dev.mistralgateway.metrics.UpstreamKeyMetrics;

/**
 * One Mistral key and what the gateway knows of it: its headroom from Mistral's rate-limit headers, whether it rests
 * after a 429 (until its Retry-After) and whether Mistral rejected it (401/403). Updated from any event loop; each
 * field is read and written on its own, so a reader may see one answer's headers half applied, which only shifts one
 * choice of key.
 */
public final class UpstreamKey implements UpstreamKeyMetrics.Source {

    /** Mistral's limits are per minute: what it said longer ago says nothing of the current minute. */
    static final long FRESH_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** The states {@code /health} and the state gauge report. */
    public enum State {
        ACTIVE, RESTING, REJECTED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final String name;
    private final String authorization;
    /** System.nanoTime, or a test's clock. */
    private final LongSupplier clock;
    private final AtomicLong remainingRequests = new AtomicLong(-1);
    private final AtomicLong limitRequests = new AtomicLong(-1);
    private final AtomicLong remainingTokens = new AtomicLong(-1);
    private final AtomicLong limitTokens = new AtomicLong(-1);
    /** When the last rate-limit headers came (System.nanoTime); 0: never. */
    private volatile long observedAt;
    private volatile long restingUntil;
    private volatile boolean resting;
    /** Mistral's 401 or 403 for this key; 0 while it is accepted. */
    private volatile int rejectedStatus;

    UpstreamKey(String name, String key, LongSupplier clock) {
        this.name = name;
        this.authorization = "Bearer " + key;
        this.clock = clock;
    }

    @Override
    public String name() {
        return name;
    }

    /** The {@code Authorization} header value. Never log it. */
    String authorization() {
        return authorization;
    }

    void observe(RateLimitHeaders headers, long now) {
        if (!headers.any()) {
            return;
        }
        set(remainingRequests, headers.remainingRequests());
        set(limitRequests, headers.limitRequests());
        set(remainingTokens, headers.remainingTokens());
        set(limitTokens, headers.limitTokens());
        observedAt = now;
    }

    /** One more call on its way: counted against the requests left until Mistral says again. */
    void sending() {
        remainingRequests.getAndUpdate(left -> left > 0 ? left - 1 : left);
    }

    void rest(long until) {
        restingUntil = until;
        resting = true;
    }

    void reject(int status) {
        rejectedStatus = status;
    }

    /** A 2xx: Mistral accepts the key (again). A rest still runs out its Retry-After: a probe's 2xx does not end it. */
    void accepted() {
        rejectedStatus = 0;
    }

    boolean rejected() {
        return rejectedStatus != 0;
    }

    int rejectedStatus() {
        return rejectedStatus;
    }

    boolean resting(long now) {
        return resting && now - restingUntil < 0;
    }

    long restingUntil() {
        return restingUntil;
    }

    State state(long now) {
        return rejected() ? State.REJECTED : resting(now) ? State.RESTING : State.ACTIVE;
    }

    /**
     * The share of its per-minute limits left, the smaller of requests and tokens, from the last headers of this
     * minute; 1 while unknown, so an unused key is tried and keys tie (then take turns) until Mistral says.
     */
    double headroom(long now) {
        if (observedAt == 0 || now - observedAt > FRESH_NANOS) {
            return 1;
        }
        return Math.min(share(remainingRequests.get(), limitRequests.get()), share(remainingTokens.get(), limitTokens.get()));
    }

    private static double share(long remaining, long limit) {
        if (remaining < 0) {
            return 1;
        }
        if (limit <= 0) {
            return remaining > 0 ? 1 : 0;
        }
        return Math.min(1, (double) remaining / limit);
    }

    private static void set(AtomicLong field, long value) {
        if (value >= 0) {
            field.set(value);
        }
    }

    @Override
    public long remainingRequests() {
        return remainingRequests.get();
    }

    @Override
    public long remainingTokens() {
        return remainingTokens.get();
    }

    @Override
    public long limitRequests() {
        return limitRequests.get();
    }

    @Override
    public long limitTokens() {
        return limitTokens.get();
    }

    @Override
    public double headroom() {
        return headroom(clock.getAsLong());
    }

    @Override
    public int stateCode() {
        return state(clock.getAsLong()).ordinal();
    }

    @Override
    public String toString() {
        return "UpstreamKey[" + name + "]";
    }
}
