package dev.mistralgateway.cost;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;

import jakarta.inject.Singleton;

import dev.mistralgateway.config.GatewayConfig;
import dev.mistralgateway.security.ApiKeys;
import dev.mistralgateway.state.StateStore;
import dev.mistralgateway.state.Window;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * The client keys' own USD budgets ({@code gateway.keys."<name>".budget.*}): which keys have one, how a refusal
 * describes it, and their gauges, by key name (never the key): spend, limit and what is left of each window. The
 * stores enforce them, with the calls' reservations, as they do the hourly budget.
 */
@Startup
@Singleton
public class KeyBudgets {

    /** Each budgeted key's limits in USD, by window (absent: no limit over that window). */
    private final Map<String, Map<Window, Double>> limits = new TreeMap<>();

    KeyBudgets(GatewayConfig config, MeterRegistry registry, StateStore store) {
        ApiKeys keys = ApiKeys.parse(config.apiKeys().orElse(List.of()));
        config.keys().forEach((configured, key) -> {
            // "anonymous": every request's name when client authentication is off.
            String name = keys.resolve(configured).or(() -> Optional.of(configured).filter("anonymous"::equals))
                    .orElseThrow(() -> new ConfigurationException("gateway.keys.\"" + configured + "\" names no key"
                            + " of gateway.api-keys (GATEWAY_API_KEYS entries are name=key)"));
            Map<Window, Double> windows = new TreeMap<>();
            put(windows, Window.HOUR, key.budget().hourlyUsd(), name);
            put(windows, Window.DAY, key.budget().dailyUsd(), name);
            put(windows, Window.MONTH, key.budget().monthlyUsd(), name);
            if (!windows.isEmpty()) {
                limits.put(name, windows);
            }
        });
        limits.forEach((name, windows) -> windows.forEach((window, limit) -> {
            Gauge.builder("mistral.key.budget.spend.usd", () -> store.keySpend(name, window) / 1e9)
                    .description("A client key's spend over the window, in USD: the fleet's when shared through"
                            + " Redis, else this pod's").tags("key", name, "window", window.label()).register(registry);
            Gauge.builder("mistral.key.budget.limit.usd", () -> limit)
                    .description("A client key's own budget over the window, in USD").tags("key", name, "window",
                            window.label()).register(registry);
            Gauge.builder("mistral.key.budget.remaining.usd",
                    () -> Math.max(0, limit - store.keySpend(name, window) / 1e9))
                    .description("What is left of a client key's budget over the window, in USD")
                    .tags("key", name, "window", window.label()).register(registry);
        }));
    }

    private static void put(Map<Window, Double> windows, Window window, OptionalDouble usd, String name) {
        if (usd.isEmpty()) {
            return;
        }
        if (!(usd.getAsDouble() > 0)) {
            throw new ConfigurationException("gateway.keys.\"" + name + "\".budget: a budget is more than 0 USD");
        }
        windows.put(window, usd.getAsDouble());
    }

    /** Whether calls of key {@code name} count against a budget of its own. */
    public boolean has(String name) {
        return limits.containsKey(name);
    }

    /** The key's budgets in USD, by window (empty for a key without one). */
    public Map<Window, Double> of(String name) {
        return limits.getOrDefault(name, Map.of());
    }
}
