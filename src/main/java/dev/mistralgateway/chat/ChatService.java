package dev.mistralgateway.chat;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mistralgateway.mistral.MistralClient;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** Sends validated chat requests to Mistral, plain or streamed. */
@ApplicationScoped
public class ChatService {

    private final MistralClient mistral;

    ChatService(MistralClient mistral) {
        this.mistral = mistral;
    }

    Uni<JsonNode> complete(ChatCall call) {
        return mistral.chat(call.upstreamBody());
    }

    /** The data of each upstream event, {@code [DONE]} included. */
    Multi<String> stream(ChatCall call) {
        return mistral.stream(call.upstreamBody());
    }
}
