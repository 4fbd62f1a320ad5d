package dev.mistralgateway.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * Range and consistency checks that a {@code @ConfigMapping} cannot express. Messages name the property and
 * never echo the API key.
 */
public final class MistralConfigValidator {

    /** Mistral accepts temperatures in [0, 1.5]. */
    public static final double MAX_TEMPERATURE = 1.5;
    /** Far above any Mistral model's output limit: a larger cap is a typo, not a choice. */
    static final int MAX_TOKENS_CEILING = 262_144;

    private MistralConfigValidator() {
    }

    /** Fails with one message listing every problem, so an operator fixes them in one round. */
    public static void validate(MistralConfig config) {
        List<String> problems = problems(config);
        if (!problems.isEmpty()) {
            throw new ConfigurationException("Invalid Mistral Gateway configuration: " + String.join("; ", problems));
        }
    }

    static List<String> problems(MistralConfig config) {
        List<String> problems = new ArrayList<>();
        String scheme = config.baseUrl().getScheme();
        if (!("http".equals(scheme) || "https".equals(scheme)) || config.baseUrl().getHost() == null) {
            problems.add("mistral.base-url must be an absolute http(s) URL (was '" + config.baseUrl() + "')");
        }
        if (config.apiKey().isPresent() && config.apiKey().get().isBlank()) {
            problems.add("mistral.api-key (MISTRAL_API_KEY) is set but blank");
        }
        problems.addAll(MistralKeys.problems(config));
        checkPositive(problems, "mistral.key-rest", config.keyRest());
        if (config.maxTokens() < 1 || config.maxTokens() > MAX_TOKENS_CEILING) {
            problems.add("mistral.max-tokens must be between 1 and " + MAX_TOKENS_CEILING + " (was " + config.maxTokens() + ")");
        }
        int defaultMaxTokens = config.effectiveDefaultMaxTokens();
        if (defaultMaxTokens < 1 || defaultMaxTokens > config.maxTokens()) {
            problems.add("mistral.default-max-tokens must be between 1 and mistral.max-tokens=" + config.maxTokens()
                    + " (was " + defaultMaxTokens + ")");
        }
        checkTemperature(problems, "mistral.temperature", config.temperature());
        for (Map.Entry<String, Double> preset : config.presets().entrySet()) {
            checkTemperature(problems, "mistral.presets." + preset.getKey(), preset.getValue());
        }
        if (config.models().isEmpty()) {
            problems.add("mistral.models must list at least one model");
        }
        checkModel(problems, config, "mistral.default-model", config.defaultModel());
        checkModel(problems, config, "mistral.default-embedding-model", config.defaultEmbeddingModel());
        if (config.connectionPoolSize() < 1) {
            problems.add("mistral.connection-pool-size must be at least 1 (was " + config.connectionPoolSize() + ")");
        }
        checkPositive(problems, "mistral.timeout.connect", config.timeout().connect());
        checkPositive(problems, "mistral.timeout.read", config.timeout().read());
        checkPositive(problems, "mistral.timeout.stream-idle", config.timeout().streamIdle());
        checkPositive(problems, "mistral.timeout.request", config.timeout().request());
        if (config.timeout().request().compareTo(config.timeout().read()) < 0) {
            problems.add("mistral.timeout.request (" + config.timeout().request() + ") must not be shorter than"
                    + " mistral.timeout.read (" + config.timeout().read() + ")");
        }
        checkPositive(problems, "mistral.retry.max-delay", config.retry().maxDelay());
        config.fallbackModels().forEach((model, fallback) -> {
            if (!config.models().contains(model) || !config.models().contains(fallback)) {
                problems.add("mistral.fallback-models.\"" + model + "\"=" + fallback + " must name two models of mistral.models");
            }
        });
        checkPositive(problems, "mistral.health.interval", config.health().interval());
        checkPositive(problems, "mistral.health.timeout", config.health().timeout());
        checkPositive(problems, "mistral.health.degraded-threshold", config.health().degradedThreshold());
        return problems;
    }

    private static void checkTemperature(List<String> problems, String property, double value) {
        if (!(value >= 0 && value <= MAX_TEMPERATURE)) {
            problems.add(property + " must be between 0 and " + MAX_TEMPERATURE + " (was " + value + ")");
        }
    }

    private static void checkModel(List<String> problems, MistralConfig config, String property, String model) {
        if (!config.models().contains(model)) {
            problems.add(property + " '" + model + "' is not in mistral.models");
        }
        if (ModelNames.isLatestAlias(model) && !config.allowLatestAliases()) {
            problems.add(property + " '" + model + "' is a -latest alias; pin a dated model id"
                    + " or set mistral.allow-latest-aliases=true");
        }
    }

    private static void checkPositive(List<String> problems, String property, Duration value) {
        if (value.isNegative() || value.isZero()) {
            problems.add(property + " must be positive (was " + value + ")");
        }
    }
}
