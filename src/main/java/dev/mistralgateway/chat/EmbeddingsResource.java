package dev.mistralgateway.chat;

import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.mistralgateway.api.ApiException;
import dev.mistralgateway.api.JsonPostRoutes;
import dev.mistralgateway.calls.UpstreamCalls;
import dev.mistralgateway.config.MistralConfig;
import dev.mistralgateway.metrics.RequestRecord;
import dev.mistralgateway.mistral.EmbeddingEncoding;
import dev.mistralgateway.models.Capability;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /v1/embeddings}: validates model, input and encoding, then relays Mistral's answer, unchanged unless it
 * carries numbers where the client asked for base64 ({@link EmbeddingEncoding}).
 */
@Path(EmbeddingsResource.PATH)
public class EmbeddingsResource {

    static final String PATH = "/v1/embeddings";

    private final ModelPolicy models;
    private final MistralConfig config;
    private final UpstreamCalls upstream;
    private final ContentLimits limits;

    EmbeddingsResource(ModelPolicy models, MistralConfig config, UpstreamCalls upstream, ContentLimits limits) {
        this.limits = limits;
        this.models = models;
        this.config = config;
        this.upstream = upstream;
    }

    void readBodies(@Observes Router router, JsonPostRoutes bodies) {
        bodies.accept(router, PATH);
    }

    @POST
    public Uni<Response> embed(RoutingContext context) {
        ObjectNode request = JsonPostRoutes.body(context);
        validateInput(request.get("input"));
        limits.checkCount("inputs", request.get("input"));
        limits.checkCharacters("'input' is", request.get("input"));
        validateEncoding(request.get("encoding_format"));
        String model = models.resolve(request.get("model"), config.defaultEmbeddingModel(), Capability.EMBEDDING);
        request.put("model", model);
        RequestRecord.current().model(model, false);
        return upstream.embed(request)
                .map(answer -> Response.ok(EmbeddingEncoding.asRequested(request, answer.body()), MediaType.APPLICATION_JSON_TYPE)
                        .build());
    }

    private static void validateEncoding(JsonNode format) {
        if (format != null && !format.isNull() && !EmbeddingEncoding.FORMATS.contains(format.asText(""))) {
            throw ApiException.invalid("'encoding_format' must be one of " + EmbeddingEncoding.FORMATS);
        }
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
