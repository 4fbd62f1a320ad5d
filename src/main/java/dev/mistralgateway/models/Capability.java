package dev.mistralgateway.models;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What an endpoint needs a model to be able to do, read from the model's card: a chat call naming an embedding model
 * is refused by the gateway with a reason, instead of failing at Mistral with one of its own.
 */
public enum Capability {

    CHAT("completion_chat", "chat completions"),
    FIM("completion_fim", "fill-in-the-middle completions"),
    MODERATION("moderation", "moderation"),
    CLASSIFICATION("classification", "classification"),
    OCR("ocr", "OCR"),
    AUDIO_TRANSCRIPTION("audio_transcription", "audio transcription"),
    /**
     * Mistral's cards have no flag for embeddings (an embedding model's capabilities are all false), so an embedding
     * model is known by its id, as Mistral names them ({@code mistral-embed}, {@code codestral-embed-2505}).
     */
    EMBEDDING(null, "embeddings");

    private final String field;
    private final String description;

    Capability(String field, String description) {
        this.field = field;
        this.description = description;
    }

    /** The flag in a card's {@code capabilities} object; null for {@link #EMBEDDING}. */
    public String field() {
        return field;
    }

    public String description() {
        return description;
    }

    /** Whether the model of this card can serve the capability. */
    public boolean of(JsonNode card) {
        if (field == null) {
            return card.path("id").asText().contains("embed");
        }
        return card.path("capabilities").path(field).asBoolean(false);
    }
}
