package dev.mistralgateway.chat;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mistralgateway.api.ApiException;
import dev.mistralgateway.api.JsonBody;
import dev.mistralgateway.config.GatewayConfig;

/**
 * The bounds on what one request may ask Mistral to read, the same on every endpoint that takes messages or text
 * ({@code gateway.request-limits.*}): at most so many messages (or inputs), and so many characters in all. Many small
 * messages cost as much as one huge one; before, only chat applied them and agents, FIM, embeddings, moderation and
 * classification forwarded 10,000 messages or 900,000 characters.
 */
@Singleton
public class ContentLimits {

    private final GatewayConfig.RequestLimits limits;

    ContentLimits(GatewayConfig gateway) {
        this.limits = gateway.requestLimits();
    }

    /** Refuses more than {@code max-messages} entries in {@code items} (messages, or inputs), named {@code field}. */
    public void checkCount(String field, JsonNode items) {
        if (items != null && items.isArray() && items.size() > limits.maxMessages()) {
            throw ApiException.invalid("Too many " + field + ": " + items.size() + ", the gateway's limit is "
                    + limits.maxMessages() + " (gateway.request-limits.max-messages)");
        }
    }

    /**
     * Refuses more than {@code max-total-chars} characters in all the strings of {@code content}: text, but also image
     * and document URLs (a data URL can be most of a body) and every chunk type Mistral adds later.
     */
    public void checkCharacters(String what, JsonNode content) {
        long characters = content == null ? 0 : JsonBody.characters(content);
        if (characters > limits.maxTotalChars()) {
            throw ApiException.invalid(what + " too long: " + characters + " characters (text, image and document"
                    + " URLs and every other string counted), the gateway's limit is " + limits.maxTotalChars()
                    + " (gateway.request-limits.max-total-chars)");
        }
    }
}
