package dev.mistralgateway.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.mistralgateway.models.BuiltInCards;

/**
 * Mistral's wire format for the model cards and the inference endpoints other than chat and embeddings (moderation,
 * classification, OCR, transcription), with deterministic content: an input containing "kill" is flagged as violent,
 * scores are fixed, an OCR document is one page whose markdown names the document, a transcription names its file and
 * its length follows the upload's size.
 */
final class SimulatedInference {

    static final List<String> MODERATION_CATEGORIES = List.of("sexual", "hate_and_discrimination",
            "violence_and_threats", "dangerous_and_criminal_content", "selfharm", "health", "financial", "law", "pii");
    /** Cards from the simulator are marked, so tests can tell them from the gateway's built-in ones. */
    static final String CARD_DESCRIPTION = "Model card from the Mistral simulator";
    private static final AtomicLong IDS = new AtomicLong();

    private final ObjectMapper json;

    SimulatedInference(ObjectMapper json) {
        this.json = json;
    }

    /** {@code GET /v1/models}: one card of Mistral's shape per model. */
    ObjectNode models(List<String> ids) {
        ObjectNode root = json.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (String id : ids) {
            ObjectNode card = BuiltInCards.card(id);
            card.put("created", 1_700_000_000L);
            card.put("description", CARD_DESCRIPTION);
            data.add(card);
        }
        return root;
    }

    /** {@code /v1/moderations} and {@code /v1/chat/moderations}: one result per input (or conversation). */
    ObjectNode moderation(JsonNode request, boolean chat) {
        return results(request, chat, (input, result) -> {
            ObjectNode categories = result.putObject("categories");
            ObjectNode scores = result.putObject("category_scores");
            for (String category : MODERATION_CATEGORIES) {
                boolean flagged = category.equals("violence_and_threats") && input.contains("kill");
                categories.put(category, flagged);
                scores.put(category, flagged ? 0.97 : 0.01);
            }
        });
    }

    /** {@code /v1/classifications} and {@code /v1/chat/classifications}: scores per target, one result per input. */
    ObjectNode classification(JsonNode request, boolean chat) {
        return results(request, chat, (input, result) -> {
            ObjectNode scores = result.putObject("sentiment").putObject("scores");
            boolean negative = input.contains("bad");
            scores.put("positive", negative ? 0.1 : 0.9);
            scores.put("negative", negative ? 0.9 : 0.1);
        });
    }

    /** An answer with one result per input, each filled by {@code result}, and the inputs' tokens as usage. */
    private ObjectNode results(JsonNode request, boolean chat, BiConsumer<String, ObjectNode> result) {
        ObjectNode root = json.createObjectNode();
        root.put("id", "sim-" + Long.toHexString(IDS.incrementAndGet()));
        root.put("model", request.path("model").asText());
        ArrayNode results = root.putArray("results");
        int tokens = 0;
        for (String input : inputs(request.get("input"), chat)) {
            result.accept(input, results.addObject());
            tokens += SimulatedAnswers.tokens(input);
        }
        ObjectNode usage = root.putObject("usage");
        usage.put("prompt_tokens", tokens);
        usage.put("completion_tokens", 0);
        usage.put("total_tokens", tokens);
        return root;
    }

    /** {@code /v1/ocr}: one page; Mistral bills OCR by the page, in {@code usage_info}. */
    ObjectNode ocr(JsonNode request) {
        ObjectNode root = json.createObjectNode();
        JsonNode document = request.path("document");
        String source = document.path("document_url").asText(document.path("image_url").asText("document"));
        ObjectNode page = root.putArray("pages").addObject();
        page.put("index", 0);
        page.put("markdown", "# Simulated page\n\nText of " + source);
        page.putArray("images");
        page.putObject("dimensions").put("dpi", 200).put("height", 2200).put("width", 1700);
        root.put("model", request.path("model").asText());
        root.putNull("document_annotation");
        root.putObject("usage_info").put("pages_processed", 1).put("doc_size_bytes", source.length());
        return root;
    }

    /**
     * {@code /v1/audio/transcriptions}: the audio's length is taken from the upload's size, as if it were 16 kHz 16-bit
     * mono PCM (32,000 bytes a second; a {@code file_url} counts as 30 s), and Mistral's usage follows from it.
     */
    ObjectNode transcription(JsonNode form) {
        long bytes = form.path("file_bytes").asLong(0);
        long seconds = form.has("file_part") ? Math.max(1, (bytes + 31_999) / 32_000) : 30;
        String text = "Simulated transcription of " + form.path("filename").asText(form.path("file_url").asText("audio"))
                + " (" + bytes + " bytes)";
        ObjectNode root = json.createObjectNode();
        root.put("model", form.path("model").asText());
        root.put("text", text);
        root.put("language", form.path("language").asText("en"));
        ArrayNode segments = root.putArray("segments");
        JsonNode granularities = form.path("timestamp_granularities");
        if (granularities.toString().contains("segment")) {
            ObjectNode segment = segments.addObject();
            segment.put("type", "transcription_segment");
            segment.put("text", text);
            segment.put("start", 0.0);
            segment.put("end", (double) seconds);
        }
        int completion = SimulatedAnswers.tokens(text);
        long prompt = seconds * 25 / 2;
        ObjectNode usage = root.putObject("usage");
        usage.put("prompt_audio_seconds", seconds);
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", prompt + completion);
        return root;
    }

    /** The texts of an input: a string or strings, or (chat) a conversation or a list of conversations. */
    private static List<String> inputs(JsonNode input, boolean chat) {
        List<String> texts = new ArrayList<>();
        if (input == null) {
            return texts;
        }
        if (chat) {
            boolean many = input.isArray() && !input.isEmpty() && (input.get(0).isArray() || input.get(0).has("messages"));
            for (JsonNode conversation : many ? input : List.of(input)) {
                StringBuilder text = new StringBuilder();
                conversation.findValues("content").forEach(content -> text.append(content.asText()).append(' '));
                texts.add(text.toString());
            }
        } else if (input.isArray()) {
            input.forEach(item -> texts.add(item.asText()));
        } else {
            texts.add(input.asText());
        }
        return texts;
    }
}
