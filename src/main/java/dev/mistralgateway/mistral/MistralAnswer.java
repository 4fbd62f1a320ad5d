package dev.mistralgateway.mistral;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.MissingNode;

import io.vertx.core.buffer.Buffer;

/**
 * A plain 2xx answer of Mistral: its bytes, relayed to the client as they came, and the few fields the gateway reads
 * from them (model, id, {@code usage}, OCR's pages). One pass of a streaming parser checks that the bytes are one JSON
 * object and picks those fields; nothing else is parsed into a tree or written again (the tree and its re-serialisation
 * cost about a tenth of the gateway's CPU per plain answer: measured, see the performance docs).
 *
 * @param body the answer as Mistral sent it
 * @param model the top-level {@code model}, or null
 * @param id the top-level {@code id}, or null
 * @param usage the top-level {@code usage} object, or a missing node
 * @param pagesProcessed OCR's {@code usage_info.pages_processed}, or -1 when the answer has no {@code usage_info}
 */
public record MistralAnswer(Buffer body, String model, String id, JsonNode usage, long pagesProcessed) {

    /** The model that answered, or {@code requested} when the answer does not say. */
    public String modelOr(String requested) {
        return model != null ? model : requested;
    }

    /**
     * Reads {@code body} with {@code json} (which must not fail on trailing tokens: the usage objects are read in the
     * middle of the answer); anything but one JSON object is Mistral breaking its protocol.
     */
    static MistralAnswer read(Buffer body, ObjectReader json) {
        String model = null;
        String id = null;
        JsonNode usage = MissingNode.getInstance();
        long pages = -1;
        try (JsonParser parser = json.createParser(body.getBytes())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new MistralProtocolException("Mistral answered with a body that is not a JSON object", null);
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value == JsonToken.VALUE_STRING && field.equals("model")) {
                    model = parser.getText();
                } else if (value == JsonToken.VALUE_STRING && field.equals("id")) {
                    id = parser.getText();
                } else if (value == JsonToken.START_OBJECT && field.equals("usage")) {
                    usage = json.readTree(parser);
                } else if (value == JsonToken.START_OBJECT && field.equals("usage_info")) {
                    pages = json.<JsonNode> readTree(parser).path("pages_processed").asLong(0);
                } else {
                    parser.skipChildren();
                }
            }
            if (parser.nextToken() != null) {
                throw new MistralProtocolException("Mistral answered with more than one JSON value", null);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof MistralProtocolException known) {
                throw known;
            }
            // A number beyond double range, say, which the gateway's strict trees refuse.
            throw new MistralProtocolException("Mistral answered with a body that is not valid JSON", e);
        }
        return new MistralAnswer(body, model, id, usage, pages);
    }
}
