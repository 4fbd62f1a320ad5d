package dev.mistralgateway.metrics;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientResponseContext;
import jakarta.ws.rs.core.MultivaluedMap;

import org.jboss.resteasy.reactive.client.impl.PreservesThreadClientResponseFilter;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Reads Mistral's rate-limit headers from every response into gauges, so operators see a 429 coming. Mistral has
 * sent {@code x-ratelimit-{limit,remaining}-{req,tokens}-minute} and, earlier, {@code ratelimitbysize-*} (tokens):
 * both are read. A gauge keeps its last value; -1 until Mistral first sends the header. It only reads headers, so it
 * runs on the event loop ({@link PreservesThreadClientResponseFilter}); a plain response filter would move every
 * response to a worker thread and back. That marker lives in the REST client's {@code impl} package: check it when
 * upgrading Quarkus (a plain {@code ClientResponseFilter} would still work, one thread switch slower).
 */
@ApplicationScoped
public class RateLimitGauges implements PreservesThreadClientResponseFilter {

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

    @Override
    public void filter(ClientRequestContext request, ClientResponseContext response) {
        // The client's response header map is case-insensitive; it is null when there is no response head.
        MultivaluedMap<String, String> headers = response.getHeaders();
        if (headers == null) {
            return;
        }
        update(remainingRequests, headers.getFirst("x-ratelimit-remaining-req-minute"));
        update(limitRequests, headers.getFirst("x-ratelimit-limit-req-minute"));
        update(remainingTokens, first(headers.getFirst("x-ratelimit-remaining-tokens-minute"),
                headers.getFirst("ratelimitbysize-remaining")));
        update(limitTokens, first(headers.getFirst("x-ratelimit-limit-tokens-minute"),
                headers.getFirst("ratelimitbysize-limit")));
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
