package dev.mistralgateway.state;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

import dev.mistralgateway.config.GatewayConfig;
import dev.mistralgateway.security.ApiKeys;

/**
 * What the stores enforce, from {@code gateway.key-limits.*} and {@code gateway.budget.hourly-usd} (0 means none), and
 * how long a reservation against them may stay open ({@code gateway.state.reservation-ttl}), and each key's USD
 * budgets ({@code gateway.keys."<name>".budget.*}), by key name, for the keys that have one.
 */
record Limits(int requestsPerMinute, long hourlyTokens, long hourlyBudgetNanoUsd, Duration reservationTtl,
        Map<String, KeyBudget> keyBudgets) {

    /** A key's budgets in nano-USD, by window; 0: none over that window. */
    record KeyBudget(long hourNanoUsd, long dayNanoUsd, long monthNanoUsd) {

        long limit(Window window) {
            return switch (window) {
                case HOUR -> hourNanoUsd;
                case DAY -> dayNanoUsd;
                case MONTH -> monthNanoUsd;
            };
        }
    }

    static Limits of(GatewayConfig config) {
        OptionalInt perMinute = config.keyLimits().requestsPerMinute();
        OptionalLong tokens = config.keyLimits().hourlyTokens();
        OptionalDouble budget = config.budget().hourlyUsd();
        return new Limits(perMinute.orElse(0), tokens.orElse(0),
                budget.isPresent() ? Math.round(budget.getAsDouble() * 1e9) : 0, config.state().reservationTtl(),
                keyBudgets(config));
    }

    /** By the name of the key each budget is for ({@link ApiKeys#resolve}); KeyBudgets refuses the others at start. */
    private static Map<String, KeyBudget> keyBudgets(GatewayConfig config) {
        ApiKeys keys = ApiKeys.parse(config.apiKeys().orElse(List.of()));
        Map<String, KeyBudget> budgets = new HashMap<>();
        config.keys().forEach((configured, key) -> {
            String name = keys.resolve(configured).orElse(configured);
            GatewayConfig.KeyBudget budget = key.budget();
            KeyBudget nano = new KeyBudget(nano(budget.hourlyUsd()), nano(budget.dailyUsd()), nano(budget.monthlyUsd()));
            if (nano.hourNanoUsd() > 0 || nano.dayNanoUsd() > 0 || nano.monthNanoUsd() > 0) {
                budgets.put(name, nano);
            }
        });
        return Map.copyOf(budgets);
    }

    private static long nano(OptionalDouble usd) {
        return usd.isPresent() ? Math.round(usd.getAsDouble() * 1e9) : 0;
    }

    /** Whether calls of {@code key} count their spend against its own budget. */
    boolean hasKeyBudget(String key) {
        return keyBudgets.containsKey(key);
    }

    /** Whether a call's USD is reserved: a budget for everyone, or for its key. */
    boolean reservesUsd(String key) {
        return hasBudget() || hasKeyBudget(key);
    }

    /** What of a call's most nano-USD is reserved: all of it when a USD budget applies to {@code key}, else none. */
    long reservedNanoUsd(String key, long nanoUsd) {
        return reservesUsd(key) ? nanoUsd : 0;
    }

    /** What of a call's most tokens is reserved: all of them under an hourly token limit, else none. */
    long reservedTokens(long tokens) {
        return hourlyTokens > 0 ? tokens : 0;
    }

    boolean limitsKeys() {
        return requestsPerMinute > 0 || hourlyTokens > 0;
    }

    boolean hasBudget() {
        return hourlyBudgetNanoUsd > 0;
    }
}
