package dev.mistralgateway.chat;

import java.util.List;
import java.util.Set;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.mistralgateway.api.ApiException;
import dev.mistralgateway.config.GatewayConfig;
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
    private final GatewayConfig.RequestLimits limits;

    ChatRequestValidator(MistralConfig config, GatewayConfig gateway, ModelPolicy models) {
        this.config = config;
        this.models = models;
        this.limits = gateway.requestLimits();
    }

    /** Checks {@code request} and completes it, in place, into Mistral's body. */
    public ChatCall validate(ObjectNode request) {
        validateMessages(request.get("messages"));
        checkSize(request.get("messages"));
        String model = models.resolve(request.get("model"), config.defaultModel(), Capability.CHAT);
        int maxTokens = models.maxTokens(request.get("max_tokens"));
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

    /** Bounds on what one request may ask Mistral to read: many small messages cost as much as one huge one. */
    private void checkSize(JsonNode messages) {
        if (messages.size() > limits.maxMessages()) {
            throw ApiException.invalid("Too many messages: " + messages.size() + ", the gateway's limit is "
                    + limits.maxMessages() + " (gateway.request-limits.max-messages)");
        }
        long characters = 0;
        for (JsonNode message : messages) {
            JsonNode content = message.get("content");
            if (content != null && content.isTextual()) {
                characters += content.asText().length();
            } else if (content != null && content.isArray()) {
                for (JsonNode chunk : content) {
                    characters += characters(chunk);
                }
            }
        }
        if (characters > limits.maxTotalChars()) {
            throw ApiException.invalid("Messages are too long: " + characters + " characters of content (text, image and"
                    + " document URLs and every other chunk counted), the gateway's limit is "
                    + limits.maxTotalChars() + " (gateway.request-limits.max-total-chars)");
        }
    }

    /**
     * The characters of every string in a content chunk, whatever its type: text, but also an {@code image_url} or
     * {@code document_url} (a data URL can be most of the body), {@code thinking} chunks and those Mistral adds later.
     */
    private static long characters(JsonNode node) {
        if (node.isTextual()) {
            return node.asText().length();
        }
        long characters = 0;
        for (JsonNode child : node) {
            characters += characters(child);
        }
        return characters;
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
