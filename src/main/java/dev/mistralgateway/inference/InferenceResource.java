package dev.mistralgateway.inference;

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
import dev.mistralgateway.chat.Answers;
import dev.mistralgateway.chat.ContentLimits;
import dev.mistralgateway.chat.ModelPolicy;
import dev.mistralgateway.metrics.RequestRecord;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Every {@link InferenceEndpoint}, served alike: the body is checked for what the gateway is answerable for (required
 * fields, the message and text limits chat has, an allowed model able to serve the endpoint, the {@code max_tokens} cap) and sent to Mistral's same path
 * otherwise untouched, through the guard; the answer (JSON, or events when a streaming endpoint is asked to stream)
 * goes back unchanged and its usage is booked.
 */
@Path("")
public class InferenceResource {

    private final ModelPolicy models;
    private final UpstreamCalls mistral;
    private final Answers answers;
    private final ContentLimits limits;
    private final ResponseCache cache;

    InferenceResource(ModelPolicy models, UpstreamCalls mistral, Answers answers, ContentLimits limits,
            ResponseCache cache) {
        this.cache = cache;
        this.limits = limits;
        this.models = models;
        this.mistral = mistral;
        this.answers = answers;
    }

    void readBodies(@Observes Router router, JsonPostRoutes bodies) {
        for (InferenceEndpoint endpoint : InferenceEndpoint.values()) {
            bodies.accept(router, endpoint.path());
        }
    }

    @POST
    @Path("/v1/fim/completions")
    public Uni<Response> fim(RoutingContext request) {
        return serve(InferenceEndpoint.FIM, request);
    }

    @POST
    @Path("/v1/agents/completions")
    public Uni<Response> agents(RoutingContext request) {
        return serve(InferenceEndpoint.AGENTS, request);
    }

    @POST
    @Path("/v1/moderations")
    public Uni<Response> moderations(RoutingContext request) {
        return serve(InferenceEndpoint.MODERATIONS, request);
    }

    @POST
    @Path("/v1/chat/moderations")
    public Uni<Response> chatModerations(RoutingContext request) {
        return serve(InferenceEndpoint.CHAT_MODERATIONS, request);
    }

    @POST
    @Path("/v1/classifications")
    public Uni<Response> classifications(RoutingContext request) {
        return serve(InferenceEndpoint.CLASSIFICATIONS, request);
    }

    @POST
    @Path("/v1/chat/classifications")
    public Uni<Response> chatClassifications(RoutingContext request) {
        return serve(InferenceEndpoint.CHAT_CLASSIFICATIONS, request);
    }

    @POST
    @Path("/v1/ocr")
    public Uni<Response> ocr(RoutingContext request) {
        return serve(InferenceEndpoint.OCR, request);
    }

    private Uni<Response> serve(InferenceEndpoint endpoint, RoutingContext request) {
        ObjectNode body = JsonPostRoutes.body(request);
        boolean stream = validate(endpoint, body);
        // FIM is the one deterministic-capable completion here; agents run tools and the classifiers are cheap.
        CacheDecision cached = endpoint == InferenceEndpoint.FIM
                ? cache.decide(request, endpoint.label(), RequestRecord.current().key(), body, false)
                : CacheDecision.NOT_ASKED;
        return answers.answer(request, stream, cached,
                () -> mistral.call(endpoint.upstreamPath(), endpoint.label(), body),
                () -> mistral.stream(endpoint.upstreamPath(), endpoint.label(), body));
    }

    /** Checks {@code body} and applies the gateway's rules to it, in place; whether it asks for a stream. */
    private boolean validate(InferenceEndpoint endpoint, ObjectNode body) {
        for (String field : endpoint.required()) {
            JsonNode value = body.get(field);
            if (value == null || value.isNull()) {
                throw ApiException.invalid("'" + field + "' is required on " + endpoint.path());
            }
        }
        if (endpoint != InferenceEndpoint.OCR) {
            // OCR's body is a document (its URL may be a data URL): the body limit bounds it.
            limits.checkCount("messages", body.get("messages"));
            limits.checkCount("inputs", body.get("input"));
            limits.checkCharacters("The request's text is", body);
        }
        String model = null;
        if (endpoint.capability() != null) {
            model = models.resolve(body.get("model"), null, endpoint.capability());
        }
        if (endpoint.capsTokens()) {
            int maxTokens = models.maxTokens(body.get("max_tokens"));
            models.checkChoices(body.get("n"), maxTokens);
            body.put("max_tokens", maxTokens);
        }
        JsonNode streamField = body.get("stream");
        if (streamField != null && !streamField.isNull() && !streamField.isBoolean()) {
            throw ApiException.invalid("'stream' must be true or false");
        }
        boolean stream = streamField != null && streamField.asBoolean(false);
        if (stream && !endpoint.streams()) {
            throw ApiException.invalid(endpoint.path() + " does not stream; send it without 'stream'");
        }
        RequestRecord.current().model(model, stream);
        return stream;
    }
}
