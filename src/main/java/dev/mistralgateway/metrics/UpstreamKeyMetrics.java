package dev.mistralgateway.metrics;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The series of each upstream (Mistral) key, labelled by its configured name, never by the key: Mistral's rate-limit
 * headers as it last sent them for that key, the headroom the gateway picks keys by, the key's state and its calls by
 * outcome. Gauges read the key's own state, so nothing is copied on the call path.
 */
@Singleton
public class UpstreamKeyMetrics {

    /** The label of the upstream key's name (the client key's is {@code key}). */
    static final String LABEL = "upstream_key";

    /** What an upstream key's gauges read; -1 where Mistral has not said yet. */
    public interface Source {
        String name();

        long remainingRequests();

        long remainingTokens();

        long limitRequests();

        long limitTokens();

        /** The share of the key's per-minute limits left, from 0 to 1 (1 while unknown). */
        double headroom();

        /** 0 in rotation, 1 resting after a 429, 2 taken out after a 401/403. */
        int stateCode();
    }

    /** The outcomes of a call on one key. */
    public enum Outcome {
        SUCCESS, THROTTLED, REJECTED, ERROR, CANCELLED;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final Map<String, Map<Outcome, Counter>> calls = new ConcurrentHashMap<>();

    public UpstreamKeyMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Registers the series of one key (once, at startup); its counters exist at zero from then on. */
    public void register(Source key) {
        gauge("mistral.ratelimit.remaining.requests", "Requests left in Mistral's current minute, per upstream key",
                key, Source::remainingRequests);
        gauge("mistral.ratelimit.remaining.tokens", "Tokens left in Mistral's current minute, per upstream key",
                key, Source::remainingTokens);
        gauge("mistral.ratelimit.limit.requests", "Mistral's requests-per-minute limit, per upstream key", key,
                Source::limitRequests);
        gauge("mistral.ratelimit.limit.tokens", "Mistral's tokens-per-minute limit, per upstream key", key,
                Source::limitTokens);
        Gauge.builder("mistral.upstream.key.headroom.ratio", key, Source::headroom).tag(LABEL, key.name())
                .description("Share of the upstream key's per-minute limits left (1 until Mistral says)")
                .strongReference(true).register(registry);
        Gauge.builder("mistral.upstream.key.state", key, Source::stateCode).tag(LABEL, key.name())
                .description("Upstream key state: 0 in rotation, 1 resting after a 429, 2 taken out after a 401/403")
                .strongReference(true).register(registry);
        Map<Outcome, Counter> counters = new EnumMap<>(Outcome.class);
        for (Outcome outcome : Outcome.values()) {
            counters.put(outcome, Counter.builder("mistral.upstream.key.calls")
                    .description("Calls to Mistral per upstream key and outcome (throttled: 429, rejected: 401/403)")
                    .tags(LABEL, key.name(), "outcome", outcome.label()).register(registry));
        }
        calls.put(key.name(), counters);
    }

    /** One call on the key named {@code name} ended with {@code outcome}. */
    public void call(String name, Outcome outcome) {
        Map<Outcome, Counter> counters = calls.get(name);
        if (counters != null) {
            counters.get(outcome).increment();
        }
    }

    private void gauge(String name, String description, Source key, ToLongFunction<Source> value) {
        Gauge.builder(name, key, k -> value.applyAsLong(k)).tag(LABEL, key.name()).description(description)
                .strongReference(true).register(registry);
    }
}
