package dev.mistralgateway.metrics;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Singleton;

import dev.mistralgateway.config.MistralConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The gateway's own {@code mistral_*} series. Meters are created once per tag combination and cached; every tag
 * value is bounded (models are mapped onto the allow-list, statuses and reasons are small fixed sets), so no
 * user text or key can ever become a label.
 */
@Singleton
public class GatewayMetrics {

    /** Buckets for {@code histogram_quantile}: fine below a second, and past the 5 s latency alert up to a minute. */
    static final Duration[] LATENCY_BUCKETS = {
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofMillis(7500),
            Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(20), Duration.ofSeconds(30),
            Duration.ofSeconds(60) };

    /** Stands for any model outside the allow-list (say, one Mistral answered with), to keep labels bounded. */
    static final String OTHER_MODEL = "other";

    private final MeterRegistry registry;
    private final Set<String> models;
    private final Map<MeterKey, Counter> counters = new ConcurrentHashMap<>();
    private final Map<MeterKey, Timer> timers = new ConcurrentHashMap<>();

    GatewayMetrics(MeterRegistry registry, MistralConfig config) {
        this.registry = registry;
        this.models = Set.copyOf(config.models());
        preRegisterAlertedSeries();
    }

    /**
     * The series alerts watch exist at zero from startup: a counter born at 1 hides its first increment from
     * {@code increase()}, so the first 401 after a restart would not page.
     */
    private void preRegisterAlertedSeries() {
        for (String status : new String[] { "500", "502", "503", "504" }) {
            errorCounter(ErrorReason.SERVER_ERROR, status);
        }
        errorCounter(ErrorReason.RATE_LIMITED, "429");
        errorCounter(ErrorReason.AUTH, "401");
        errorCounter(ErrorReason.AUTH, "403");
        models.forEach(model -> spendCounter(model));
    }

    /** A model name fit for a label: itself if allow-listed, {@value #OTHER_MODEL} otherwise. */
    public String modelLabel(String model) {
        return model != null && models.contains(model) ? model : OTHER_MODEL;
    }

    /**
     * One client request answered with {@code status} (client view). {@code key} is a configured key's name,
     * "anonymous" or "none": bounded by configuration, never client text.
     */
    public void request(String endpoint, String key, String model, boolean stream, int status) {
        String statusText = String.valueOf(status);
        counter("mistral.requests", "Client requests by endpoint, client key name, model and HTTP status",
                "endpoint", endpoint, "key", key, "model", modelLabel(model), "stream", String.valueOf(stream),
                "status", statusText, "status_class", status / 100 + "xx").increment();
    }

    /** One failure, counted where it starts: at Mistral (per attempt) or in the gateway (refusals). */
    public void error(ErrorReason reason, String status) {
        errorCounter(reason, status).increment();
    }

    private Counter errorCounter(ErrorReason reason, String status) {
        return counter("mistral.errors", "Failures by reason and HTTP status (none: no HTTP answer)",
                "reason", reason.label(), "status", status);
    }

    /** One upstream attempt's latency; for streams, until the first event. */
    public void upstreamLatency(String model, String endpoint, boolean success, long nanos) {
        timer("mistral.upstream.latency", "Latency of each call to Mistral",
                "model", modelLabel(model), "endpoint", endpoint, "outcome", success ? "success" : "error")
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    public void timeToFirstToken(String model, long nanos) {
        timer("mistral.upstream.time.to.first.token", "Time from a stream's request to Mistral's first event",
                "model", modelLabel(model)).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void tokens(String model, long prompt, long completion) {
        String label = modelLabel(model);
        counter("mistral.tokens", "Tokens billed by Mistral, from its usage figures", "model", label, "type", "prompt")
                .increment(prompt);
        counter("mistral.tokens", "Tokens billed by Mistral, from its usage figures", "model", label, "type", "completion")
                .increment(completion);
    }

    public void spend(String model, double usd) {
        spendCounter(modelLabel(model)).increment(usd);
    }

    private Counter spendCounter(String modelLabel) {
        return counter("mistral.spend.usd", "Spend in USD: tokens times the configured price", "model", modelLabel);
    }

    public void unpricedTokens(String model, long tokens) {
        counter("mistral.spend.unpriced.tokens", "Tokens of models without a configured price (fallback price used)",
                "model", modelLabel(model)).increment(tokens);
    }

    /** A client that left before its response was complete (answered 499 in the access log and request count). */
    public void clientDisconnect(String endpoint, boolean stream) {
        counter("mistral.client.disconnects", "Client requests abandoned by the client before their response was complete",
                "endpoint", endpoint, "stream", String.valueOf(stream)).increment();
    }

    public void truncatedStream() {
        counter("mistral.streams.truncated", "Streams from Mistral that broke or ended before [DONE]").increment();
    }

    /** A request answered from the response cache, and what its usage would have cost at Mistral. */
    public void cacheHit(String endpoint, double savedUsd) {
        counter("mistral.cache.hits", "Requests answered from the response cache", "endpoint", endpoint).increment();
        counter("mistral.cache.saved.usd", "What the answers served from the cache would have cost at Mistral, in USD",
                "endpoint", endpoint).increment(savedUsd);
    }

    /** A request that asked the response cache and went to Mistral. */
    public void cacheMiss(String endpoint) {
        counter("mistral.cache.misses", "Requests that asked the response cache and went to Mistral",
                "endpoint", endpoint).increment();
    }

    private Counter counter(String name, String description, String... tags) {
        return counters.computeIfAbsent(key(name, tags),
                k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    private Timer timer(String name, String description, String... tags) {
        return timers.computeIfAbsent(key(name, tags), k -> Timer.builder(name).description(description).tags(tags)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .minimumExpectedValue(LATENCY_BUCKETS[0])
                .maximumExpectedValue(LATENCY_BUCKETS[LATENCY_BUCKETS.length - 1])
                .register(registry));
    }

    /** A meter's name and tags: a cache key that costs no string building on the hot path. */
    private record MeterKey(String name, List<String> tags) {
    }

    private static MeterKey key(String name, String... tags) {
        return new MeterKey(name, Arrays.asList(tags));
    }
}
