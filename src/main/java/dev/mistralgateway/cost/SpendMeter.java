package dev.mistralgateway.cost;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mistralgateway.config.GatewayConfig;
import dev.mistralgateway.config.MistralConfig;
import dev.mistralgateway.metrics.GatewayMetrics;
import dev.mistralgateway.metrics.RequestRecord;
import dev.mistralgateway.state.StateStore;
import dev.mistralgateway.state.Verdict;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * Turns Mistral's {@code usage} figures into tokens and USD (tokens times the configured price), books them in the
 * {@link StateStore} (per pod, or for the fleet through Redis), and says when the optional hourly budget
 * ({@code gateway.budget.hourly-usd}) is exhausted.
 */
@Singleton
public class SpendMeter {

    private static final Logger LOG = Logger.getLogger(SpendMeter.class);

    private final MistralConfig config;
    private final GatewayMetrics metrics;
    private final OptionalDouble hourlyBudget;
    private final StateStore store;

    SpendMeter(MistralConfig config, GatewayConfig gateway, GatewayMetrics metrics, MeterRegistry registry,
            StateStore store) {
        this.config = config;
        this.store = store;
        this.metrics = metrics;
        this.hourlyBudget = gateway.budget().hourlyUsd();
        Gauge.builder("mistral.budget.spend.usd", this, SpendMeter::lastHourUsd)
                .description("Spend of the rolling last 60 minutes in USD: the fleet's when shared through Redis,"
                        + " else this pod's").register(registry);
        // No budget, no series: a limit of 0 would read as "no money left" on a dashboard or in an alert.
        hourlyBudget.ifPresent(limit -> Gauge.builder("mistral.budget.limit.usd", () -> limit)
                .description("Hourly budget in USD").register(registry));
    }

    /** Accounts for one answer's {@code usage} (ignored when absent), for the model that answered. */
    public void record(String model, JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return;
        }
        long prompt = usage.path("prompt_tokens").asLong(0);
        long completion = usage.path("completion_tokens").asLong(0);
        MistralConfig.Price price = config.prices().get(model);
        if (price == null) {
            price = config.fallbackPrice();
            metrics.unpricedTokens(model, prompt + completion);
            LOG.debugf("No price configured for %s: counted at the fallback price", model);
        }
        book(model, (prompt * price.input() + completion * price.output()) / 1_000_000, prompt, completion);
    }

    /**
     * Accounts for a transcription's {@code usage}: Mistral bills transcription by the minute of audio
     * ({@code prompt_audio_seconds}, at {@code mistral.price-per-audio-minute}), not by token; its tokens still count
     * against the key's hourly tokens.
     */
    public void recordAudio(String model, JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return;
        }
        double minutes = usage.path("prompt_audio_seconds").asDouble(0) / 60;
        book(model, minutes * config.pricePerAudioMinute(), usage.path("prompt_tokens").asLong(0),
                usage.path("completion_tokens").asLong(0));
    }

    private void book(String model, double usd, long prompt, long completion) {
        metrics.tokens(model, prompt, completion);
        metrics.spend(model, usd);
        RequestRecord request = RequestRecord.current();
        request.tokens(prompt, completion);
        // The store never fails a booking (it keeps it for later when Redis is down): nothing to handle here.
        store.record(request.key(), Math.round(usd * 1e9), prompt + completion).subscribe().with(booked -> {
        });
    }

    /** Accounts for pages an OCR model processed, at {@code mistral.price-per-page}. */
    public void recordPages(String model, long pages) {
        if (pages <= 0) {
            return;
        }
        double usd = pages * config.pricePerPage();
        metrics.spend(model, usd);
        store.record(RequestRecord.current().key(), Math.round(usd * 1e9), 0).subscribe().with(booked -> {
        });
    }

    public double lastHourUsd() {
        return store.lastSpend().usd();
    }

    /** How long until spend is back under the budget, when it was exhausted at the last look (no I/O). */
    public Optional<Duration> budgetExhausted() {
        return hourlyBudget.isEmpty() ? Optional.empty() : store.lastSpend().untilUnderBudget();
    }

    /** Whether a new request may spend: the store's answer, asynchronous when the store is shared. */
    public Uni<Verdict> checkBudget() {
        return store.checkBudget();
    }

    public OptionalDouble hourlyBudget() {
        return hourlyBudget;
    }
}
