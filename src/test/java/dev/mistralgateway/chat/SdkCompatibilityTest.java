package dev.mistralgateway.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.mistralai.MistralAiChatModel;
import dev.langchain4j.model.mistralai.MistralAiEmbeddingModel;
import dev.langchain4j.model.mistralai.MistralAiStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Real client libraries, changed only in their base URL, work against the gateway: LangChain4j's Mistral client
 * (Mistral's wire format) and its OpenAI client (the OpenAI SDK's wire format).
 */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
class SdkCompatibilityTest {

    private static final String CLIENT_KEY = "client-side-key-not-for-mistral";

    @TestHTTPResource("/v1")
    URL baseUrl;

    @BeforeEach
    void resetSimulator() {
        Simulator.reset();
    }

    @Test
    void mistralClientChats() {
        ChatModel model = MistralAiChatModel.builder()
                .baseUrl(baseUrl.toString()).apiKey(CLIENT_KEY).modelName("mistral-small-2506").build();
        ChatResponse response = model.chat(dev.langchain4j.data.message.UserMessage.from("ping"));
        assertEquals("Echo: ping", response.aiMessage().text());
        assertTrue(response.tokenUsage().totalTokenCount() > 0);
        assertEquals(0, Simulator.count("unauthorized"), "the client's key never reaches Mistral");
    }

    @Test
    void mistralClientStreams() throws Exception {
        StreamingChatModel model = MistralAiStreamingChatModel.builder()
                .baseUrl(baseUrl.toString()).apiKey(CLIENT_KEY).modelName("mistral-small-2506").build();
        assertEquals("Echo: stream me please", streamed(model, "stream me please"));
    }

    @Test
    void mistralClientEmbeds() {
        MistralAiEmbeddingModel model = MistralAiEmbeddingModel.builder()
                .baseUrl(baseUrl.toString()).apiKey(CLIENT_KEY).modelName("mistral-embed").build();
        assertEquals(1024, model.embed("hello").content().dimension());
    }

    @Test
    void openAiClientChats() {
        ChatModel model = OpenAiChatModel.builder()
                .baseUrl(baseUrl.toString()).apiKey(CLIENT_KEY).modelName("mistral-large-2411").build();
        assertEquals("Echo: hello from openai", model.chat("hello from openai"));
        assertEquals("mistral-large-2411", Simulator.lastRequest("chat").getString("model"));
    }

    @Test
    void openAiClientStreams() throws Exception {
        StreamingChatModel model = OpenAiStreamingChatModel.builder()
                .baseUrl(baseUrl.toString()).apiKey(CLIENT_KEY).modelName("mistral-small-2506").build();
        assertEquals("Echo: openai streaming", streamed(model, "openai streaming"));
    }

    private static String streamed(StreamingChatModel model, String prompt) throws Exception {
        StringBuilder partials = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat(prompt, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                partials.append(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse response = done.get(10, TimeUnit.SECONDS);
        assertEquals(partials.toString(), response.aiMessage().text());
        return partials.toString();
    }
}
