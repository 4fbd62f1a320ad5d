package dev.mistralgateway.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A cached answer as a stream, and a stream as the answer to cache. The cache keeps Mistral's plain answer (a
 * {@code chat.completion}); a streamed request replays it in Mistral's chunk shape, and a streamed request that missed
 * is stored as the plain answer its events add up to.
 */
public final class CachedStreams {

    static final String DONE = "[DONE]";

    private CachedStreams() {
    }

    /**
     * The events' data of a stream answering with {@code answer}: per choice, a chunk with its role and whole content
     * (and tool calls, if any); then one chunk with each choice's finish reason and the answer's usage; then
     * {@code [DONE]}.
     */
    public static List<String> replay(ObjectNode answer) {
        List<String> events = new ArrayList<>();
        ArrayNode finishes = JsonNodeFactory.instance.arrayNode();
        for (JsonNode choice : answer.path("choices")) {
            ObjectNode delta = JsonNodeFactory.instance.objectNode();
            JsonNode message = choice.path("message");
            delta.put("role", message.path("role").asText("assistant"));
            delta.set("content", message.path("content").isMissingNode() ? JsonNodeFactory.instance.textNode("")
                    : message.get("content"));
            if (message.has("tool_calls")) {
                delta.set("tool_calls", message.get("tool_calls"));
            }
            ObjectNode chunkChoice = JsonNodeFactory.instance.objectNode();
            chunkChoice.put("index", choice.path("index").asInt(0));
            chunkChoice.set("delta", delta);
            chunkChoice.putNull("finish_reason");
            events.add(chunk(answer, JsonNodeFactory.instance.arrayNode().add(chunkChoice)).toString());
            ObjectNode finish = JsonNodeFactory.instance.objectNode();
            finish.put("index", choice.path("index").asInt(0));
            finish.set("delta", JsonNodeFactory.instance.objectNode().put("content", ""));
            finish.set("finish_reason", choice.path("finish_reason").isMissingNode()
                    ? JsonNodeFactory.instance.textNode("stop") : choice.get("finish_reason"));
            finishes.add(finish);
        }
        ObjectNode last = chunk(answer, finishes);
        if (answer.has("usage")) {
            last.set("usage", answer.get("usage"));
        }
        events.add(last.toString());
        events.add(DONE);
        return events;
    }

    private static ObjectNode chunk(ObjectNode answer, ArrayNode choices) {
        ObjectNode chunk = JsonNodeFactory.instance.objectNode();
        chunk.set("id", answer.path("id"));
        chunk.put("object", "chat.completion.chunk");
        chunk.set("created", answer.path("created"));
        chunk.set("model", answer.path("model"));
        chunk.set("choices", choices);
        return chunk;
    }

    /**
     * Adds up a stream's events (their data, in order) into the plain answer they stand for. It gives up (and nothing
     * is cached) on a tool call, an event it cannot read, or a stream that ends without usage, finish reasons or
     * {@code [DONE]}.
     */
    public static final class Capture {

        private final ObjectMapper json;
        private final Map<Integer, StringBuilder> contents = new TreeMap<>();
        private final Map<Integer, JsonNode> finishReasons = new TreeMap<>();
        private JsonNode first;
        private JsonNode usage;
        private boolean done;
        private boolean unusable;

        public Capture(ObjectMapper json) {
            this.json = json;
        }

        /** One event's data. */
        public void accept(String data) {
            if (unusable) {
                return;
            }
            if (DONE.equals(data)) {
                done = true;
                return;
            }
            JsonNode chunk;
            try {
                chunk = json.readTree(data);
            } catch (JsonProcessingException e) {
                unusable = true;
                return;
            }
            if (first == null) {
                first = chunk;
            }
            if (chunk.hasNonNull("usage")) {
                usage = chunk.get("usage");
            }
            for (JsonNode choice : chunk.path("choices")) {
                int index = choice.path("index").asInt(0);
                JsonNode delta = choice.path("delta");
                if (delta.has("tool_calls") || delta.path("content").isArray()) {
                    unusable = true;
                    return;
                }
                contents.computeIfAbsent(index, ignored -> new StringBuilder()).append(delta.path("content").asText(""));
                if (choice.hasNonNull("finish_reason")) {
                    finishReasons.put(index, choice.get("finish_reason"));
                }
            }
        }

        /** The plain answer, or null when the stream cannot be one. */
        public ObjectNode answer() {
            if (unusable || !done || first == null || usage == null || contents.isEmpty()
                    || !finishReasons.keySet().equals(contents.keySet())) {
                return null;
            }
            ObjectNode answer = JsonNodeFactory.instance.objectNode();
            answer.set("id", first.path("id"));
            answer.put("object", "chat.completion");
            answer.set("created", first.path("created"));
            answer.set("model", first.path("model"));
            ArrayNode choices = answer.putArray("choices");
            contents.forEach((index, content) -> {
                ObjectNode choice = choices.addObject();
                choice.put("index", index);
                choice.putObject("message").put("role", "assistant").put("content", content.toString());
                choice.set("finish_reason", finishReasons.get(index));
            });
            answer.set("usage", usage);
            return answer;
        }
    }
}
