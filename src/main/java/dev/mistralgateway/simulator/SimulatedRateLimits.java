package dev.mistralgateway.simulator;

import io.vertx.core.http.HttpServerResponse;

/**
 * Mistral's per-minute rate-limit headers, counted down by the requests and tokens of the current minute
 * (the simulator never enforces them; a {@code status} 429 fault does that).
 */
final class SimulatedRateLimits {

    static final long REQUESTS_PER_MINUTE = 6_000;
    static final long TOKENS_PER_MINUTE = 2_000_000;

    private long minute;
    private long requests;
    private long tokens;

    synchronized void putHeaders(HttpServerResponse response) {
        roll();
        requests++;
        response.putHeader("x-ratelimit-limit-req-minute", String.valueOf(REQUESTS_PER_MINUTE))
                .putHeader("x-ratelimit-remaining-req-minute", String.valueOf(Math.max(0, REQUESTS_PER_MINUTE - requests)))
                .putHeader("x-ratelimit-limit-tokens-minute", String.valueOf(TOKENS_PER_MINUTE))
                .putHeader("x-ratelimit-remaining-tokens-minute", String.valueOf(Math.max(0, TOKENS_PER_MINUTE - tokens)));
    }

    synchronized void spend(long usedTokens) {
        roll();
        tokens += usedTokens;
    }

    private void roll() {
        long now = System.currentTimeMillis() / 60_000;
        if (now != minute) {
            minute = now;
            requests = 0;
            tokens = 0;
        }
    }
}
