package dev.mistralgateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The JSON body every POST endpoint expects: one object (Jackson has already refused what is not JSON). */
public final class JsonBody {

    private JsonBody() {
    }

    public static ObjectNode object(JsonNode body) {
        if (body == null || body.isMissingNode() || body.isNull()) {
            throw ApiException.invalid("Request body is empty; send a JSON object with 'Content-Type: application/json'");
        }
        if (!body.isObject()) {
            throw ApiException.invalid("Request body must be a JSON object");
        }
        return (ObjectNode) body;
    }

    /** The characters of every string in {@code node}, however deep: what a request asks Mistral to read. */
    public static long characters(JsonNode node) {
        if (node.isTextual()) {
            return node.textValue().length();
        }
        long characters = 0;
        for (JsonNode child : node) {
            characters += characters(child);
        }
        return characters;
    }
}
