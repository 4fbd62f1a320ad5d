package dev.mistralgateway.chat;

import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.mistralgateway.api.ApiException;
import dev.mistralgateway.api.JsonPostRoutes;
import dev.mistralgateway.cache.CacheDecision;
import dev.mistralgateway.cache.ResponseCache;
import dev.mistralgateway.calls.UpstreamCalls;
import dev.mistralgateway.config.MistralConfig;
import dev.mistralgateway.metrics.RequestRecord;
import dev.mistralgateway.mistral.EmbeddingEncoding;
import dev.mistralgateway.mistral.MistralAnswer;
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
    private final Answers answers;
    private final ResponseCache cache;

    EmbeddingsResource(ModelPolicy models, MistralConfig config, UpstreamCalls upstream, ContentLimits limits,
            Answers answers, ResponseCache cache) {
        this.answers = answers;
        this.cache = cache;
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
        RequestRecord record = RequestRecord.current();
        record.model(model, false);
        CacheDecision cached = cache.decide(context, "embeddings", record.key(), request, true);
        return answers.answer(context, false, cached, () -> upstream.embed(request).map(answer -> new MistralAnswer(
                EmbeddingEncoding.asRequested(request, answer.body()), answer.model(), answer.id(), answer.usage(),
                answer.pagesProcessed())), null);
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
