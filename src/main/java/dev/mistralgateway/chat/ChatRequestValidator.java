package dev.mistralgateway.chat;

import java.util.List;
import java.util.Set;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.mistralgateway.api.ApiException;
import dev.mistralgateway.config.MistralConfig;
import dev.mistralgateway.config.MistralConfigValidator;
import dev.mistralgateway.models.Capability;

/**
 * Checks what the gateway is answerable for (messages, model, max_tokens, temperature, preset) and applies the
 * defaults; every other field passes to Mistral untouched. A refused request never reaches Mistral.
 */
@Singleton
public class ChatRequestValidator {

    static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");
    /** Mistral's message fields: anything else would only earn a 422 from Mistral. */
    static final List<String> MESSAGE_FIELDS = List.of("role", "content", "name", "tool_calls", "tool_call_id", "prefix");
    /** Gateway-only fields: Mistral refuses fields it does not know, so these are removed before the call. */
    static final String PRESET = "preset";

    private final MistralConfig config;
    private final ModelPolicy models;
    private final ContentLimits limits;

    ChatRequestValidator(MistralConfig config, ContentLimits limits, ModelPolicy models) {
        this.config = config;
        this.models = models;
        this.limits = limits;
    }

    /** Checks {@code request} and completes it, in place, into Mistral's body. */
    public ChatCall validate(ObjectNode request) {
        validateMessages(request.get("messages"));
        limits.checkCount("messages", request.get("messages"));
        limits.checkCharacters("Messages are", request.get("messages"));
        String model = models.resolve(request.get("model"), config.defaultModel(), Capability.CHAT);
        int maxTokens = models.maxTokens(request.get("max_tokens"));
        models.checkChoices(request.get("n"), maxTokens);
        double temperature = temperature(request.get("temperature"), request.get(PRESET));
        boolean stream = stream(request.get("stream"));

        // The request was parsed for this call alone, so it becomes Mistral's body in place.
        request.remove(PRESET);
        request.put("model", model);
        request.put("max_tokens", maxTokens);
        request.put("temperature", temperature);
        request.put("stream", stream);
        return new ChatCall(request, model, stream);
    }

    private static void validateMessages(JsonNode messages) {
        if (messages == null || messages.isNull()) {
            throw ApiException.invalid("'messages' is required: a non-empty array of {role, content} objects");
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw ApiException.invalid("'messages' must be a non-empty array of {role, content} objects");
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String at = "messages[" + i + "]";
            if (!message.isObject()) {
                throw ApiException.invalid(at + " must be an object with 'role' and 'content'");
            }
            message.fieldNames().forEachRemaining(field -> {
                if (!MESSAGE_FIELDS.contains(field)) {
                    throw ApiException.invalid(at + " has an unknown field '" + ApiException.printable(field)
                            + "'; message fields are " + MESSAGE_FIELDS);
                }
            });
            JsonNode role = message.get("role");
            if (role == null || !role.isTextual() || !ROLES.contains(role.asText())) {
                throw ApiException.invalid(at + ".role must be one of system, user, assistant, tool"
                        + (role != null && role.isTextual() ? " (was '" + ApiException.printable(role.asText()) + "')" : ""));
            }
            JsonNode content = message.get("content");
            boolean hasToolCalls = message.path("tool_calls").isArray() && !message.path("tool_calls").isEmpty();
            if (content == null || content.isNull()) {
                if (!("assistant".equals(role.asText()) && hasToolCalls)) {
                    throw ApiException.invalid(at + ".content is required");
                }
            } else if (!content.isTextual() && !content.isArray()) {
                throw ApiException.invalid(at + ".content must be a string or an array of content chunks");
            }
        }
    }

    private double temperature(JsonNode value, JsonNode preset) {
        boolean hasTemperature = value != null && !value.isNull();
        if (preset != null && !preset.isNull()) {
            if (hasTemperature) {
                throw ApiException.invalid("Send either 'temperature' or 'preset', not both");
            }
            Double presetTemperature = preset.isTextual() ? config.presets().get(preset.asText()) : null;
            if (presetTemperature == null) {
                throw ApiException.invalid("'preset' must be one of " + config.presets().keySet());
            }
            return presetTemperature;
        }
        if (!hasTemperature) {
            return config.temperature();
        }
        double temperature = value.asDouble();
        if (!value.isNumber() || !(temperature >= 0 && temperature <= MistralConfigValidator.MAX_TEMPERATURE)) {
            throw ApiException.invalid("'temperature' must be a number between 0 and " + MistralConfigValidator.MAX_TEMPERATURE);
        }
        return temperature;
    }

    private static boolean stream(JsonNode value) {
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw ApiException.invalid("'stream' must be true or false");
        }
        return value.asBoolean();
    }
}
