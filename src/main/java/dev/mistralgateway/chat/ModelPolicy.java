package dev.mistralgateway.chat;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mistralgateway.api.ApiException;
import dev.mistralgateway.config.MistralConfig;
import dev.mistralgateway.config.ModelNames;

/** Which model a request gets: the allow-list, the default, and the refusal of unpinned {@code -latest} aliases. */
@ApplicationScoped
public class ModelPolicy {

    private final MistralConfig config;

    ModelPolicy(MistralConfig config) {
        this.config = config;
    }

    /** The model to call for this request's {@code model} field, or the given default when it names none. */
    String resolve(JsonNode model, String defaultModel) {
        if (model == null || model.isNull()) {
            return defaultModel;
        }
        if (!model.isTextual() || model.asText().isBlank()) {
            throw ApiException.invalid("'model' must be a non-empty string");
        }
        String name = model.asText();
        if (ModelNames.isLatestAlias(name) && !config.allowLatestAliases()) {
            throw ApiException.invalid("Model '" + printable(name) + "' is a -latest alias, which can change without notice;"
                    + " name a pinned model (one of " + config.models() + ")");
        }
        if (!config.models().contains(name)) {
            throw ApiException.invalid("Model '" + printable(name) + "' is not allowed; allowed models: " + config.models());
        }
        return name;
    }

    /** Echo at most 100 printable characters of a client's string back in an error. */
    static String printable(String value) {
        String cleaned = value.replaceAll("\\p{Cntrl}", "?");
        return cleaned.length() <= 100 ? cleaned : cleaned.substring(0, 100) + "…";
    }
}
