package dev.mistralgateway.state;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.mistralgateway.security.TokenBucket;
import io.smallrye.mutiny.Uni;

/**
 * The counters in this pod's memory: a token bucket per key, and rolling hours of each key's tokens and of the
 * spend, and the reservations of the calls in flight. The whole state when the gateway runs alone; the per-pod
 * fallback when the shared store fails.
 */
final class InMemoryStateStore implements StateStore {

    private static final Uni<Verdict> ALLOWED = Uni.createFrom().item(Verdict.ALLOWED);

    private final Limits limits;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, RollingWindow> tokens = new ConcurrentHashMap<>();
    private final RollingWindow spend = RollingWindow.hour();
    /** Each budgeted key's spend, one window per {@link Window}, in its order. */
    private final Map<String, RollingWindow[]> keySpend = new ConcurrentHashMap<>();
    private final OpenReservations open;

    InMemoryStateStore(Limits limits) {
        this.limits = limits;
        this.open = new OpenReservations(limits.reservationTtl());
    }

    @Override
    public Uni<Verdict> admitKey(String key) {
        Verdict verdict = admitKeyNow(key);
        return verdict.allowed() ? ALLOWED : Uni.createFrom().item(verdict);
    }

    /** As {@link #admitKey}, at once. Rate first: a request over both limits is told about the rate. */
    Verdict admitKeyNow(String key) {
        if (limits.requestsPerMinute() > 0) {
            Optional<Duration> wait = buckets.computeIfAbsent(key,
                    k -> new TokenBucket(limits.requestsPerMinute(), Duration.ofMinutes(1))).take();
            if (wait.isPresent()) {
                return new Verdict(Verdict.Outcome.RATE_LIMITED, wait.get());
            }
        }
        if (limits.hourlyTokens() > 0) {
            RollingWindow used = tokens.get(key);
            Optional<Duration> wait = used == null ? Optional.empty() : used.untilBelow(limits.hourlyTokens());
            if (wait.isPresent()) {
                return new Verdict(Verdict.Outcome.TOKENS_EXHAUSTED, wait.get());
            }
        }
        return Verdict.ALLOWED;
    }

    @Override
    public Uni<Verdict> checkBudget() {
        Verdict verdict = checkBudgetNow();
        return verdict.allowed() ? ALLOWED : Uni.createFrom().item(verdict);
    }

    Verdict checkBudgetNow() {
        return lastSpend().untilUnderBudget()
                .map(wait -> new Verdict(Verdict.Outcome.BUDGET_EXHAUSTED, wait))
                .orElse(Verdict.ALLOWED);
    }

    @Override
    public Uni<Verdict> reserve(String id, String key, long nanoUsd, long tokens) {
        Verdict verdict = reserveNow(id, key, nanoUsd, tokens);
        return verdict.allowed() ? ALLOWED : Uni.createFrom().item(verdict);
    }

    /**
     * As {@link #reserve}, at once; synchronized, so that two calls never both take the budget's last share. A call
     * is admitted while the spend plus the open reservations is under the limit.
     */
    synchronized Verdict reserveNow(String id, String key, long nanoUsd, long tokens) {
        if (limits.hasBudget()) {
            Optional<Duration> wait = spend.untilBelow(limits.hourlyBudgetNanoUsd(), open.nanoUsd());
            if (wait.isPresent()) {
                return new Verdict(Verdict.Outcome.BUDGET_EXHAUSTED, wait.get());
            }
        }
        if (limits.hourlyTokens() > 0) {
            Optional<Duration> wait = tokens(key).untilBelow(limits.hourlyTokens(), open.tokens(key));
            if (wait.isPresent()) {
                return new Verdict(Verdict.Outcome.TOKENS_EXHAUSTED, wait.get());
            }
        }
        Optional<Duration> keyWait = untilUnderKeyBudget(key);
        if (keyWait.isPresent()) {
            return new Verdict(Verdict.Outcome.KEY_BUDGET_EXHAUSTED, keyWait.get());
        }
        open.hold(id, key, limits.reservedNanoUsd(key, nanoUsd), limits.reservedTokens(tokens));
        return Verdict.ALLOWED;
    }

    /** Empty while the key is under each of its budgets with its calls in flight; else until it is under all. */
    private Optional<Duration> untilUnderKeyBudget(String key) {
        Limits.KeyBudget budget = limits.keyBudgets().get(key);
        if (budget == null) {
            return Optional.empty();
        }
        RollingWindow[] spent = keySpend(key);
        long held = open.nanoUsd(key);
        Optional<Duration> longest = Optional.empty();
        for (Window window : Window.values()) {
            long limit = budget.limit(window);
            Optional<Duration> wait = limit > 0 ? spent[window.ordinal()].untilBelow(limit, held) : Optional.empty();
            if (wait.isPresent() && (longest.isEmpty() || wait.get().compareTo(longest.get()) > 0)) {
                longest = wait;
            }
        }
        return longest;
    }

    private RollingWindow[] keySpend(String key) {
        return keySpend.computeIfAbsent(key, k -> {
            RollingWindow[] windows = new RollingWindow[Window.values().length];
            for (Window window : Window.values()) {
                windows[window.ordinal()] = new RollingWindow(window);
            }
            return windows;
        });
    }

    /** What {@code key} spent over {@code window}, in nano-USD (0 for a key without a budget). */
    long keySpendNow(String key, Window window) {
        RollingWindow[] spent = keySpend.get(key);
        return spent == null ? 0 : Math.round(spent[window.ordinal()].sum());
    }

    private RollingWindow tokens(String key) {
        return tokens.computeIfAbsent(key, k -> RollingWindow.hour());
    }

    @Override
    public Uni<Void> settle(String reservation, String key, long nanoUsd, long used) {
        return Uni.createFrom().item(() -> {
            settleNow(reservation, key, nanoUsd, used);
            return null;
        });
    }

    /** Frees {@code reservation} (null: none) and counts what the call used; returns what it held, if it was open. */
    synchronized OpenReservations.Held settleNow(String reservation, String key, long nanoUsd, long used) {
        OpenReservations.Held freed = reservation == null ? null : open.free(reservation);
        spend.add(nanoUsd);
        if (limits.hourlyTokens() > 0 && used != 0) {
            tokens(key).add(used);
        }
        if (nanoUsd != 0 && limits.hasKeyBudget(key)) {
            for (RollingWindow window : keySpend(key)) {
                window.add(nanoUsd);
            }
        }
        return freed;
    }

    /** Notes that Redis holds {@code reservation} too (what it holds there is then not counted twice). */
    synchronized void shared(String reservation) {
        open.shared(reservation);
    }

    /** Frees {@code reservation} without counting anything: its call was refused elsewhere, or never made. */
    synchronized void release(String reservation) {
        open.free(reservation);
    }

    @Override
    public long keySpend(String key, Window window) {
        return keySpendNow(key, window);
    }

    @Override
    public synchronized Spend lastSpend() {
        long sum = Math.round(spend.sum());
        long reserved = open.nanoUsd();
        if (!limits.hasBudget()) {
            return new Spend(sum, Optional.empty(), reserved);
        }
        return new Spend(sum, spend.untilBelow(limits.hourlyBudgetNanoUsd()), reserved);
    }
}
