package dev.mistralgateway.models;

import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Model cards in Mistral's shape for allowed models whose card Mistral has not sent (yet): the gateway knows Mistral's
 * model families, and their capabilities, by the prefix of the id. Used until the first successful probe of
 * {@code GET /v1/models}, and for an allowed model Mistral does not list.
 */
public final class BuiltInCards {

    /** A family of models: the id prefix, the capabilities its cards set, and its context length. */
    private record Family(String prefix, Set<Capability> capabilities, boolean functionCalling, boolean vision,
            int maxContextLength, String description) {
    }

    private static final Family CHAT = new Family("", Set.of(Capability.CHAT), true, false, 32_768, "Chat model");

    /** Most specific prefix first. */
    private static final List<Family> FAMILIES = List.of(
            new Family("codestral-embed", Set.of(Capability.EMBEDDING), false, false, 8_192, "Code embedding model"),
            new Family("mistral-embed", Set.of(Capability.EMBEDDING), false, false, 8_192, "Embedding model"),
            new Family("codestral", Set.of(Capability.CHAT, Capability.FIM), true, false, 256_000, "Code model"),
            new Family("devstral", Set.of(Capability.CHAT, Capability.FIM), true, false, 128_000, "Code agent model"),
            new Family("mistral-moderation", Set.of(Capability.MODERATION, Capability.CLASSIFICATION), false, false,
                    8_192, "Moderation model"),
            new Family("mistral-ocr", Set.of(Capability.OCR), false, true, 32_768, "OCR model"),
            new Family("voxtral", Set.of(Capability.CHAT, Capability.AUDIO_TRANSCRIPTION), true, false, 32_768,
                    "Audio model"),
            new Family("mistral-small", Set.of(Capability.CHAT), true, true, 128_000, "Small chat model"),
            new Family("mistral-medium", Set.of(Capability.CHAT), true, true, 128_000, "Medium chat model"),
            new Family("mistral-large", Set.of(Capability.CHAT), true, false, 128_000, "Large chat model"),
            new Family("pixtral", Set.of(Capability.CHAT), true, true, 128_000, "Vision model"),
            new Family("magistral", Set.of(Capability.CHAT), true, true, 40_000, "Reasoning model"),
            new Family("ministral", Set.of(Capability.CHAT), true, false, 128_000, "Edge chat model"));

    private BuiltInCards() {
    }

    /** The card of {@code id}, as Mistral's {@code GET /v1/models} would list it. */
    public static ObjectNode card(String id) {
        Family family = FAMILIES.stream().filter(f -> id.startsWith(f.prefix())).findFirst().orElse(CHAT);
        ObjectNode card = JsonNodeFactory.instance.objectNode();
        card.put("id", id);
        card.put("object", "model");
        card.put("created", 0);
        card.put("owned_by", "mistralai");
        ObjectNode capabilities = card.putObject("capabilities");
        for (Capability capability : Capability.values()) {
            if (capability.field() != null) {
                capabilities.put(capability.field(), family.capabilities().contains(capability));
            }
        }
        capabilities.put("function_calling", family.functionCalling());
        capabilities.put("fine_tuning", false);
        capabilities.put("vision", family.vision());
        card.put("name", id);
        card.put("description", family.description() + " (card built into the gateway: Mistral's list was not available)");
        card.put("max_context_length", family.maxContextLength());
        card.putArray("aliases");
        card.putNull("deprecation");
        card.putNull("default_model_temperature");
        card.put("type", "base");
        return card;
    }
}
