package dev.mistralgateway.metrics;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.MultiMap;

/**
 * Reads Mistral's rate-limit headers from every response into gauges, so operators see a 429 coming. Mistral has
 * sent {@code x-ratelimit-{limit,remaining}-{req,tokens}-minute} and, earlier, {@code ratelimitbysize-*} (tokens):
 * both are read. A gauge keeps its last value; -1 until Mistral first sends the header. It only reads headers, on the
 * event loop that received them.
 */
@Singleton
public class RateLimitGauges {

    private final AtomicLong remainingRequests = new AtomicLong(-1);
    private final AtomicLong remainingTokens = new AtomicLong(-1);
    private final AtomicLong limitRequests = new AtomicLong(-1);
    private final AtomicLong limitTokens = new AtomicLong(-1);

    RateLimitGauges(MeterRegistry registry) {
        gauge(registry, "mistral.ratelimit.remaining.requests", "Requests left in Mistral's current minute", remainingRequests);
        gauge(registry, "mistral.ratelimit.remaining.tokens", "Tokens left in Mistral's current minute", remainingTokens);
        gauge(registry, "mistral.ratelimit.limit.requests", "Mistral's requests-per-minute limit", limitRequests);
        gauge(registry, "mistral.ratelimit.limit.tokens", "Mistral's tokens-per-minute limit", limitTokens);
    }

    /** Takes the rate-limit headers of one Mistral response (a case-insensitive header map). */
    public void update(MultiMap headers) {
        update(remainingRequests, headers.get("x-ratelimit-remaining-req-minute"));
        update(limitRequests, headers.get("x-ratelimit-limit-req-minute"));
        update(remainingTokens, first(headers.get("x-ratelimit-remaining-tokens-minute"),
                headers.get("ratelimitbysize-remaining")));
        update(limitTokens, first(headers.get("x-ratelimit-limit-tokens-minute"), headers.get("ratelimitbysize-limit")));
    }

    private static String first(String preferred, String older) {
        return preferred != null ? preferred : older;
    }

    private static void update(AtomicLong gauge, String header) {
        if (header == null) {
            return;
        }
        try {
            gauge.set(Long.parseLong(header.strip()));
        } catch (NumberFormatException ignored) {
            // A malformed header is Mistral's problem; the gauge keeps its last good value.
        }
    }

    private static void gauge(MeterRegistry registry, String name, String description, AtomicLong value) {
        Gauge.builder(name, value, AtomicLong::get).description(description).register(registry);
    }
}
