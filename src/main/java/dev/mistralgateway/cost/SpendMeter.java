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
    private static final int MINUTES = 60;

    private final MistralConfig config;
    private final GatewayMetrics metrics;
    private final OptionalDouble hourlyBudget;
    private final long[] bucketMinute = new long[MINUTES];
    private final double[] bucketUsd = new double[MINUTES];

    SpendMeter(MistralConfig config, GatewayConfig gateway, GatewayMetrics metrics, MeterRegistry registry) {
        this.config = config;
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
        add(usd);
        RequestRecord.current().tokens(prompt, completion);
    }

    public synchronized double lastHourUsd() {
        long now = minuteNow();
        double sum = 0;
        for (int i = 0; i < MINUTES; i++) {
            if (now - bucketMinute[i] < MINUTES) {
                sum += bucketUsd[i];
            }
        }
        return sum;
    }

    /** How long until spend is back under the budget, when it is exhausted now. */
    public synchronized Optional<Duration> budgetExhausted() {
        if (hourlyBudget.isEmpty()) {
            return Optional.empty();
        }
        double limit = hourlyBudget.getAsDouble();
        double spent = lastHourUsd();
        if (spent < limit) {
            return Optional.empty();
        }
        long now = minuteNow();
        long nowMillis = System.currentTimeMillis();
        // Oldest minutes leave the window first: find when enough of them have left.
        for (long minute = now - MINUTES + 1; minute <= now; minute++) {
            int i = (int) Math.floorMod(minute, (long) MINUTES);
            if (bucketMinute[i] == minute) {
                spent -= bucketUsd[i];
            }
            if (spent < limit) {
                return Optional.of(Duration.ofMillis(Math.max(1000, (minute + MINUTES) * 60_000 - nowMillis)));
            }
        }
        return Optional.of(Duration.ofMinutes(MINUTES));
    }

    public OptionalDouble hourlyBudget() {
        return hourlyBudget;
    }

    private synchronized void add(double usd) {
        long now = minuteNow();
        int i = (int) Math.floorMod(now, (long) MINUTES);
        if (bucketMinute[i] != now) {
            bucketMinute[i] = now;
            bucketUsd[i] = 0;
        }
        bucketUsd[i] += usd;
    }

    private static long minuteNow() {
        return System.currentTimeMillis() / 60_000;
    }
}
