package dev.mistralgateway.cost;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mistralgateway.config.GatewayConfig;
import dev.mistralgateway.config.MistralConfig;
import dev.mistralgateway.metrics.GatewayMetrics;
import dev.mistralgateway.metrics.RequestRecord;
import dev.mistralgateway.security.KeyRateLimiter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Turns Mistral's {@code usage} figures into tokens and USD (tokens times the configured price), keeps the spend of
 * the rolling last 60 minutes per pod, and says when the optional hourly budget ({@code gateway.budget.hourly-usd})
 * is exhausted.
 */
@ApplicationScoped
public class SpendMeter {

    private static final Logger LOG = Logger.getLogger(SpendMeter.class);

    private final MistralConfig config;
    private final GatewayMetrics metrics;
    private final OptionalDouble hourlyBudget;
    private final RollingHour lastHour = new RollingHour();
    private final KeyRateLimiter keyLimits;

    SpendMeter(MistralConfig config, GatewayConfig gateway, GatewayMetrics metrics, MeterRegistry registry,
            KeyRateLimiter keyLimits) {
        this.config = config;
        this.keyLimits = keyLimits;
        this.metrics = metrics;
        this.hourlyBudget = gateway.budget().hourlyUsd();
        Gauge.builder("mistral.budget.spend.usd", this, SpendMeter::lastHourUsd)
                .description("Spend of the rolling last 60 minutes on this pod, in USD").register(registry);
        Gauge.builder("mistral.budget.limit.usd", () -> hourlyBudget.orElse(0))
                .description("Hourly budget in USD (0: none)").register(registry);
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
        double usd = (prompt * price.input() + completion * price.output()) / 1_000_000;
        metrics.tokens(model, prompt, completion);
        metrics.spend(model, usd);
        lastHour.add(usd);
        RequestRecord request = RequestRecord.current();
        request.tokens(prompt, completion);
        keyLimits.addTokens(request.key(), prompt + completion);
    }

    /** Accounts for pages an OCR model processed, at {@code mistral.price-per-page}. */
    public void recordPages(String model, long pages) {
        if (pages <= 0) {
            return;
        }
        double usd = pages * config.pricePerPage();
        metrics.spend(model, usd);
        lastHour.add(usd);
    }

    public double lastHourUsd() {
        return lastHour.sum();
    }

    /** How long until spend is back under the budget, when it is exhausted now. */
    public Optional<Duration> budgetExhausted() {
        return hourlyBudget.isEmpty() ? Optional.empty() : lastHour.untilBelow(hourlyBudget.getAsDouble());
    }

    public OptionalDouble hourlyBudget() {
        return hourlyBudget;
    }
}
