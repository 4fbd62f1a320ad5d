package dev.mistralgateway.chat;

import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

import dev.mistralgateway.api.JsonPostRoutes;
import dev.mistralgateway.cache.CacheDecision;
import dev.mistralgateway.cache.ResponseCache;
import dev.mistralgateway.calls.UpstreamCalls;
import dev.mistralgateway.metrics.RequestRecord;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Chat completions, plain or streamed: {@code POST /api/chat} (the gateway's simple path, which the smoke test uses)
 * and {@code POST /v1/chat/completions} (Mistral's own path, for the Mistral and OpenAI SDKs). The body decides between
 * one JSON answer and server-sent events ({@code "stream": true}), both through {@link Answers}, from the cache when
 * a deterministic request asks for it ({@link ResponseCache}). The JSON body is read
 * and checked in front of this resource ({@link JsonPostRoutes}); refusals and failures are answered by the API's
 * exception mappers.
 */
@Path("")
public class ChatResource {

    static final String CHAT = "/api/chat";
    static final String CHAT_COMPLETIONS = "/v1/chat/completions";

    private final ChatRequestValidator validator;
    private final UpstreamCalls upstream;
    private final Answers answers;
    private final ResponseCache cache;

    ChatResource(ChatRequestValidator validator, UpstreamCalls upstream, Answers answers, ResponseCache cache) {
        this.validator = validator;
        this.upstream = upstream;
        this.answers = answers;
        this.cache = cache;
    }

    void readBodies(@Observes Router router, JsonPostRoutes bodies) {
        bodies.accept(router, CHAT);
        bodies.accept(router, CHAT_COMPLETIONS);
    }

    @POST
    @Path(CHAT)
    public Uni<Response> chat(RoutingContext request) {
        return complete(request);
    }

    @POST
    @Path(CHAT_COMPLETIONS)
    public Uni<Response> chatCompletions(RoutingContext request) {
        return complete(request);
    }

    private Uni<Response> complete(RoutingContext request) {
        ChatCall call = validator.validate(JsonPostRoutes.body(request));
        RequestRecord record = RequestRecord.current();
        record.model(call.model(), call.stream());
        CacheDecision cached = cache.decide(request, "chat", record.key(), call.upstreamBody(), false);
        return answers.answer(request, call.stream(), cached, () -> upstream.complete(call.upstreamBody(), call.model()),
                () -> upstream.stream(call.upstreamBody()));
    }
}
