package dev.mistralgateway.state;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.mistralgateway.security.TokenBucket;
import io.smallrye.mutiny.Uni;

/**
 * The counters in this pod's memory: a token bucket per key, and rolling hours of each key's tokens and of the
 * spend. The whole state when the gateway runs alone; the per-pod fallback when the shared store fails.
 */
final class InMemoryStateStore implements StateStore {

    private static final Uni<Verdict> ALLOWED = Uni.createFrom().item(Verdict.ALLOWED);

    private final Limits limits;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, RollingHour> tokens = new ConcurrentHashMap<>();
    private final RollingHour spend = new RollingHour();

    InMemoryStateStore(Limits limits) {
        this.limits = limits;
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
            RollingHour used = tokens.get(key);
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
    public Uni<Verdict> reserve(String key, long nanoUsd, long tokens) {
        Verdict verdict = reserveNow(key, nanoUsd, tokens);
        return verdict.allowed() ? ALLOWED : Uni.createFrom().item(verdict);
    }

    /** As {@link #reserve}, at once; synchronized, so that two calls never both take the budget's last share. */
    synchronized Verdict reserveNow(String key, long nanoUsd, long tokens) {
        Verdict budget = checkBudgetNow();
        if (!budget.allowed()) {
            return budget;
        }
        if (limits.hourlyTokens() > 0) {
            RollingHour used = tokens(key);
            Optional<Duration> wait = used.untilBelow(limits.hourlyTokens());
            if (wait.isPresent()) {
                return new Verdict(Verdict.Outcome.TOKENS_EXHAUSTED, wait.get());
            }
        }
        recordNow(key, limits.hasBudget() ? nanoUsd : 0, tokens);
        return Verdict.ALLOWED;
    }

    private RollingHour tokens(String key) {
        return tokens.computeIfAbsent(key, k -> new RollingHour());
    }

    @Override
    public Uni<Void> record(String key, long nanoUsd, long used) {
        return Uni.createFrom().item(() -> {
            recordNow(key, nanoUsd, used);
            return null;
        });
    }

    void recordNow(String key, long nanoUsd, long used) {
        spend.add(nanoUsd);
        if (limits.hourlyTokens() > 0) {
            tokens(key).add(used);
        }
    }

    @Override
    public Spend lastSpend() {
        long sum = Math.round(spend.sum());
        if (!limits.hasBudget()) {
            return new Spend(sum, Optional.empty());
        }
        return new Spend(sum, spend.untilBelow(limits.hourlyBudgetNanoUsd()));
    }
}
