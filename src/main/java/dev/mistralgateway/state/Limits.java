package dev.mistralgateway.state;

import java.time.Duration;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

import dev.mistralgateway.config.GatewayConfig;

/**
 * What the stores enforce, from {@code gateway.key-limits.*} and {@code gateway.budget.hourly-usd} (0 means none), and
 * how long a reservation against them may stay open ({@code gateway.state.reservation-ttl}).
 */
record Limits(int requestsPerMinute, long hourlyTokens, long hourlyBudgetNanoUsd, Duration reservationTtl) {

    static Limits of(GatewayConfig config) {
        OptionalInt perMinute = config.keyLimits().requestsPerMinute();
        OptionalLong tokens = config.keyLimits().hourlyTokens();
        OptionalDouble budget = config.budget().hourlyUsd();
        return new Limits(perMinute.orElse(0), tokens.orElse(0),
                budget.isPresent() ? Math.round(budget.getAsDouble() * 1e9) : 0, config.state().reservationTtl());
    }

    boolean limitsKeys() {
        return requestsPerMinute > 0 || hourlyTokens > 0;
    }

    boolean hasBudget() {
        return hourlyBudgetNanoUsd > 0;
    }
}
