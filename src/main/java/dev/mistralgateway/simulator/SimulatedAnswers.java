package dev.mistralgateway.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.mistralgateway.mistral.EmbeddingEncoding;

/**
 * Mistral's wire format of chat-shaped answers (chat, FIM, agents) and embeddings, with deterministic content: the
 * answer echoes the last user message (or the FIM prompt), token counts follow
 * Mistral's rough four-characters-a-token ratio, and embeddings are derived from a hash of the input.
 */
final class SimulatedAnswers {

    static final int EMBEDDING_DIMENSION = 1024;
    private static final AtomicLong IDS = new AtomicLong();

    private final ObjectMapper json;

    SimulatedAnswers(ObjectMapper json) {
        this.json = json;
    }

    /** The whole answer to a chat request, already cut to its {@code max_tokens}. */
    record Answer(String model, List<String> pieces, boolean truncated, int promptTokens, int completionTokens) {
        String content() {
            return String.join("", pieces);
        }

        String finishReason() {
            return truncated ? "length" : "stop";
        }
    }

    Answer answer(JsonNode request) {
        String model = request.path("model").asText();
        int promptTokens = 0;
        String lastUser = "";
        for (JsonNode message : request.path("messages")) {
            String text = text(message.get("content"));
            promptTokens += tokens(text) + 4;
            if ("user".equals(message.path("role").asText())) {
                lastUser = text;
            }
        }
        if (request.path("prompt").isTextual()) {
            // Fill in the middle: the answer echoes the prompt; the suffix is read too.
            lastUser = request.path("prompt").asText();
            promptTokens = tokens(lastUser) + tokens(request.path("suffix").asText(""));
        }
        List<String> pieces = new ArrayList<>();
        String[] words = ("Echo: " + lastUser).split(" ");
        for (int i = 0; i < words.length; i++) {
            pieces.add(i == 0 ? words[i] : " " + words[i]);
        }
        int maxTokens = request.path("max_tokens").asInt(Integer.MAX_VALUE);
        int completionTokens = 0;
        List<String> kept = new ArrayList<>();
        for (String piece : pieces) {
            int cost = tokens(piece);
            if (completionTokens + cost > maxTokens) {
                break;
            }
            kept.add(piece);
            completionTokens += cost;
        }
        return new Answer(model, kept, kept.size() < pieces.size(), promptTokens, completionTokens);
    }

    ObjectNode completion(Answer answer) {
        ObjectNode root = envelope("chat.completion", answer.model());
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", answer.content());
        message.putNull("tool_calls");
        choice.put("finish_reason", answer.finishReason());
        root.set("usage", usage(answer.promptTokens(), answer.completionTokens()));
        return root;
    }

    /** The chunks of a streamed answer: a role chunk, one per piece, and a final one with finish_reason and usage. */
    List<ObjectNode> chunks(Answer answer) {
        String id = nextId();
        List<ObjectNode> chunks = new ArrayList<>();
        ObjectNode first = chunk(id, answer.model(), null);
        ((ObjectNode) first.get("choices").get(0).get("delta")).put("role", "assistant").put("content", "");
        chunks.add(first);
        for (String piece : answer.pieces()) {
            ObjectNode chunk = chunk(id, answer.model(), null);
            ((ObjectNode) chunk.get("choices").get(0).get("delta")).put("content", piece);
            chunks.add(chunk);
        }
        ObjectNode last = chunk(id, answer.model(), answer.finishReason());
        ((ObjectNode) last.get("choices").get(0).get("delta")).put("content", "");
        last.set("usage", usage(answer.promptTokens(), answer.completionTokens()));
        chunks.add(last);
        return chunks;
    }

    ObjectNode embeddings(JsonNode request) {
        JsonNode input = request.path("input");
        List<String> inputs = new ArrayList<>();
        if (input.isArray()) {
            input.forEach(item -> inputs.add(item.isTextual() ? item.asText() : item.toString()));
        } else {
            inputs.add(input.asText());
        }
        int dimension = request.path("output_dimension").asInt(EMBEDDING_DIMENSION);
        ObjectNode root = envelope("list", request.path("model").asText());
        ArrayNode data = root.putArray("data");
        int tokens = 0;
        for (int i = 0; i < inputs.size(); i++) {
            ObjectNode item = data.addObject();
            item.put("object", "embedding");
            ArrayNode vector = item.putArray("embedding");
            for (double value : vector(inputs.get(i), dimension)) {
                vector.add(value);
            }
            if (EmbeddingEncoding.base64Requested(request)) {
                item.put("embedding", EmbeddingEncoding.base64(vector, EmbeddingEncoding.FLOAT));
            }
            item.put("index", i);
            tokens += tokens(inputs.get(i));
        }
        ObjectNode usage = root.putObject("usage");
        usage.put("prompt_tokens", tokens);
        usage.put("total_tokens", tokens);
        usage.put("completion_tokens", 0);
        return root;
    }

    /** Mistral's error bodies: a bare message for 401/429, the {@code object: error} shape otherwise. */
    ObjectNode error(int status, String message) {
        ObjectNode root = json.createObjectNode();
        if (status == 401 || status == 429) {
            root.put("message", message);
            root.put("request_id", Long.toHexString(IDS.incrementAndGet()));
            return root;
        }
        root.put("object", "error");
        root.put("message", message);
        root.put("type", status >= 500 ? "internal_server_error" : "invalid_request_error");
        root.putNull("param");
        root.putNull("code");
        return root;
    }

    static String defaultMessage(int status) {
        return switch (status) {
            case 401 -> "Unauthorized";
            case 429 -> "Requests rate limit exceeded";
            case 400 -> "Bad request";
            case 404 -> "Not found";
            case 422 -> "Unprocessable entity";
            case 502 -> "Bad gateway";
            case 503 -> "Service unavailable";
            case 504 -> "Gateway timeout";
            default -> status >= 500 ? "Internal server error" : "Request failed";
        };
    }

    static int tokens(String text) {
        return Math.max(1, (text.length() + 3) / 4);
    }

    private static String text(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            content.forEach(part -> text.append(part.path("text").asText("")));
            return text.toString();
        }
        return content.asText();
    }

    private static double[] vector(String input, int dimension) {
        SplittableRandom random = new SplittableRandom(input.hashCode());
        double[] vector = new double[dimension];
        double norm = 0;
        for (int i = 0; i < dimension; i++) {
            vector[i] = random.nextDouble(-1, 1);
            norm += vector[i] * vector[i];
        }
        norm = Math.sqrt(norm);
        for (int i = 0; i < dimension; i++) {
            vector[i] = Math.round(vector[i] / norm * 1e6) / 1e6;
        }
        return vector;
    }

    private ObjectNode chunk(String id, String model, String finishReason) {
        ObjectNode root = json.createObjectNode();
        root.put("id", id);
        root.put("object", "chat.completion.chunk");
        root.put("created", System.currentTimeMillis() / 1000);
        root.put("model", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("delta");
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return root;
    }

    private ObjectNode envelope(String object, String model) {
        ObjectNode root = json.createObjectNode();
        root.put("id", nextId());
        root.put("object", object);
        root.put("created", System.currentTimeMillis() / 1000);
        root.put("model", model);
        return root;
    }

    private ObjectNode usage(int prompt, int completion) {
        ObjectNode usage = json.createObjectNode();
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", prompt + completion);
        return usage;
    }

    private static String nextId() {
        return "cmpl-sim-" + Long.toHexString(IDS.incrementAndGet());
    }
}
