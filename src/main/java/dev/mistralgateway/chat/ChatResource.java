package dev.mistralgateway.chat;

import java.util.List;
import java.util.Map;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestMulti;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mistralgateway.metrics.RequestRecord;
import io.smallrye.mutiny.Multi;
import io.vertx.core.buffer.Buffer;

/**
 * Chat completions, plain or streamed: {@code POST /api/chat} (the checklist's smoke-test path) and
 * {@code POST /v1/chat/completions} (Mistral's own path, for the Mistral and OpenAI SDKs). The body decides
 * between a JSON answer and server-sent events ({@code "stream": true}), so the response is a {@link RestMulti}
 * whose content type is set per request.
 */
@Path("/")
public class ChatResource {

    private static final Map<String, List<String>> JSON_HEADERS = Map.of(HttpHeaders.CONTENT_TYPE, List.of(MediaType.APPLICATION_JSON));
    private static final Map<String, List<String>> SSE_HEADERS = Map.of(
            HttpHeaders.CONTENT_TYPE, List.of(MediaType.SERVER_SENT_EVENTS),
            HttpHeaders.CACHE_CONTROL, List.of("no-cache"),
            // Proxies such as nginx must pass each event on at once.
            "X-Accel-Buffering", List.of("no"));

    private final ChatRequestValidator validator;
    private final ChatService chat;
    private final SseRelay relay;
    private final ObjectMapper json;

    ChatResource(ChatRequestValidator validator, ChatService chat, SseRelay relay, ObjectMapper json) {
        this.json = json;
        this.validator = validator;
        this.chat = chat;
        this.relay = relay;
    }

    @POST
    @Path("/api/chat")
    public RestMulti<Buffer> chat(JsonNode body) {
        return complete(body);
    }

    @POST
    @Path("/v1/chat/completions")
    public RestMulti<Buffer> completions(JsonNode body) {
        return complete(body);
    }

    private RestMulti<Buffer> complete(JsonNode body) {
        ChatCall call = validator.validate(JsonBody.object(body));
        RequestRecord.current().model(call.model(), call.stream());
        chat.checkBudget();
        if (call.stream()) {
            return RestMulti.fromUniResponse(chat.stream(call), relay::relay, events -> SSE_HEADERS);
        }
        return RestMulti.fromUniResponse(chat.complete(call), answer -> Multi.createFrom().item(bytes(answer)),
                answer -> JSON_HEADERS);
    }

    private Buffer bytes(JsonNode answer) {
        try {
            return Buffer.buffer(json.writeValueAsBytes(answer));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A parsed JSON tree could not be written back", e);
        }
    }
}
