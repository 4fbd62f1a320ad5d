package dev.mistralgateway.chat;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.mistralgateway.config.MistralConfig;
import dev.mistralgateway.metrics.RequestRecord;
import io.smallrye.mutiny.Uni;

/** {@code POST /v1/embeddings}: validates model and input, then relays Mistral's answer unchanged. */
@Path("/v1/embeddings")
public class EmbeddingsResource {

    private final ModelPolicy models;
    private final MistralConfig config;
    private final ChatService chat;

    EmbeddingsResource(ModelPolicy models, MistralConfig config, ChatService chat) {
        this.models = models;
        this.config = config;
        this.chat = chat;
    }

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<JsonNode> embed(JsonNode body) {
        ObjectNode request = JsonBody.object(body);
        validateInput(request.get("input"));
        String model = models.resolve(request.get("model"), config.defaultEmbeddingModel());
        request.put("model", model);
        RequestRecord.current().model(model, false);
        chat.checkBudget();
        return chat.embed(request);
    }

    private static void validateInput(JsonNode input) {
        if (input == null || input.isNull()) {
            throw ApiException.invalid("'input' is required: a string or a non-empty array of strings");
        }
        if (input.isTextual()) {
            if (input.asText().isEmpty()) {
                throw ApiException.invalid("'input' must not be empty");
            }
            return;
        }
        if (!input.isArray() || input.isEmpty()) {
            throw ApiException.invalid("'input' must be a string or a non-empty array of strings");
        }
        for (int i = 0; i < input.size(); i++) {
            if (!input.get(i).isTextual() || input.get(i).asText().isEmpty()) {
                throw ApiException.invalid("input[" + i + "] must be a non-empty string");
            }
        }
    }
}
