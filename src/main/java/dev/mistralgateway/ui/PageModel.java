package dev.mistralgateway.ui;

import java.util.List;

import dev.mistralgateway.metrics.RecentRequests;

/**
 * What the operator page shows, read from the gateway's cached state at one instant (no I/O): Mistral's health, the
 * breaker, the spend against the budget, the client keys by name, the model catalogue and the last failures.
 */
public record PageModel(
        String generatedAt,
        Upstream upstream,
        Breaker breaker,
        Budget budget,
        Limits limits,
        List<KeyRow> keys,
        List<ModelRow> models,
        boolean modelsFromMistral,
        List<RecentRequests.Failure> failures,
        String simulatorUrl) {

    /** Mistral as the background probe last saw it. */
    public record Upstream(String status, Long latencyMs, String checkedAt, String error) {
    }

    /** The circuit breaker in front of Mistral; {@code closesInSeconds} while it is open. */
    public record Breaker(String name, String state, long closesInSeconds) {
    }

    /** The rolling hour's spend (the fleet's with Redis, else this pod's) and the budget, if one is set. */
    public record Budget(String spendUsd, String limitUsd, int percent) {
    }

    /** The per-key limits every key shares ("no limit" when unset). */
    public record Limits(String requestsPerMinute, String hourlyTokens) {
    }

    /** A client key by name, with what it did on this pod since the pod started. */
    public record KeyRow(String name, long requests, long failures, long tokens, String spendUsd) {
    }

    /** A model the gateway allows, with the capabilities its card gives. */
    public record ModelRow(String id, String capabilities) {
    }
}
