package dev.mistralgateway.chat;

import java.util.List;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mistralgateway.api.ApiException;
import dev.mistralgateway.config.MistralConfig;
import dev.mistralgateway.config.ModelNames;
import dev.mistralgateway.models.Capability;
import dev.mistralgateway.models.ModelCatalog;

/**
 * Which model a request gets and how much it may generate: the allow-list, the default, the refusal of unpinned
 * {@code -latest} aliases, the capability the endpoint needs (from the model's card) and the {@code max_tokens} cap.
 */
@Singleton
public class ModelPolicy {

    private final MistralConfig config;
    private final ModelCatalog catalog;

    ModelPolicy(MistralConfig config, ModelCatalog catalog) {
        this.config = config;
        this.catalog = catalog;
    }

    /**
     * The model to call for this request's {@code model} field, or {@code defaultModel} when it names none (null:
     * the field is required); refused unless allowed and able to serve {@code needed}.
     */
    public String resolve(JsonNode model, String defaultModel, Capability needed) {
        if ((model == null || model.isNull()) && defaultModel != null) {
            return defaultModel;
        }
        if (model == null || model.isNull()) {
            throw ApiException.invalid("'model' is required: one of " + allowedFor(needed));
        }
        if (!model.isTextual() || model.asText().isBlank()) {
            throw ApiException.invalid("'model' must be a non-empty string");
        }
        String name = model.asText();
        if (ModelNames.isLatestAlias(name) && !config.allowLatestAliases()) {
            throw ApiException.invalid("Model '" + ApiException.printable(name) + "' is a -latest alias, which can change"
                    + " without notice; name a pinned model (one of " + config.models() + ")");
        }
        if (!config.models().contains(name)) {
            throw ApiException.invalid("Model '" + ApiException.printable(name) + "' is not allowed; allowed models: "
                    + config.models());
        }
        if (catalog.card(name).filter(needed::of).isEmpty()) {
            throw ApiException.invalid("Model '" + name + "' does not support " + needed.description()
                    + " (its model card says so); models that do: " + allowedFor(needed));
        }
        return name;
    }

    /** The {@code max_tokens} to send: the client's, within the gateway's cap, or the configured default. */
    public int maxTokens(JsonNode value) {
        if (value == null || value.isNull()) {
            return config.effectiveDefaultMaxTokens();
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw ApiException.invalid("'max_tokens' must be an integer between 1 and " + config.maxTokens());
        }
        int maxTokens = value.asInt();
        if (maxTokens < 1 || maxTokens > config.maxTokens()) {
            throw ApiException.invalid("'max_tokens' must be between 1 and the gateway's cap of " + config.maxTokens()
                    + " (was " + maxTokens + ")");
        }
        return maxTokens;
    }

    /**
     * {@code n} (how many completions Mistral writes) multiplies a call's output: {@code n} × {@code max_tokens} is held
     * to the same cap as {@code max_tokens} alone ({@code mistral.max-tokens}), so a client cannot multiply its cost
     * past it ({@code "n": 1000} was forwarded).
     */
    public void checkChoices(JsonNode n, int maxTokens) {
        if (n == null || n.isNull()) {
            return;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 1) {
            throw ApiException.invalid("'n' must be a positive integer");
        }
        if ((long) n.asInt() * maxTokens > config.maxTokens()) {
            throw ApiException.invalid("'n' times 'max_tokens' must be at most the gateway's cap of " + config.maxTokens()
                    + " tokens (mistral.max-tokens); was " + n.asInt() + " x " + maxTokens);
        }
    }

    private List<String> allowedFor(Capability needed) {
        return config.models().stream().filter(id -> catalog.card(id).filter(needed::of).isPresent()).toList();
    }
}
