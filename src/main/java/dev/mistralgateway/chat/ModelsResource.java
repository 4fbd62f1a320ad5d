package dev.mistralgateway.chat;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.mistralgateway.config.MistralConfig;

/** {@code GET /v1/models}: the models this gateway lets clients use, in Mistral's list format; no upstream call. */
@Path("/v1/models")
public class ModelsResource {

    /** One model in Mistral's (and OpenAI's) model-list shape. */
    public record ModelCard(String id, String object, long created, @JsonProperty("owned_by") String ownedBy) {
    }

    public record ModelList(String object, List<ModelCard> data) {
    }

    private final ModelList models;

    ModelsResource(MistralConfig config) {
        this.models = new ModelList("list", config.models().stream()
                .map(id -> new ModelCard(id, "model", 0, "mistralai"))
                .toList());
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public ModelList list() {
        return models;
    }
}
