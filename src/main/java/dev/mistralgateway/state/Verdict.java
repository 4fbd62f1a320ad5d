package dev.mistralgateway.state;

import java.time.Duration;

/** A store's answer to a check: allowed, or refused with the reason and how long until a retry can pass. */
public record Verdict(Outcome outcome, Duration retryAfter) {

    /** Why a request may or may not go on. */
    public enum Outcome {
        ALLOWED, RATE_LIMITED, TOKENS_EXHAUSTED, BUDGET_EXHAUSTED,
        /** The key spent one of its own USD budgets ({@code gateway.keys."<name>".budget.*}). */
        KEY_BUDGET_EXHAUSTED,
        /** The shared store failed and {@code gateway.state.on-failure=deny}. */
        UNAVAILABLE
    }

    public static final Verdict ALLOWED = new Verdict(Outcome.ALLOWED, Duration.ZERO);

    public boolean allowed() {
        return outcome == Outcome.ALLOWED;
    }
}
