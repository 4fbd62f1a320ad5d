package dev.mistralgateway.mistral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import io.vertx.core.buffer.Buffer;

class MistralAnswerTest {

    /** As the gateway's mapper is configured: trailing tokens fail a whole-document read (api.StrictJson). */
    private static final ObjectReader JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @Test
    void readsModelIdAndUsageAndKeepsTheBytesAsTheyCame() {
        Buffer body = Buffer.buffer("{ \"id\":\"cmpl-1\",\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":4},"
                + "\"choices\":[{\"message\":{\"content\":\"{\\\"model\\\":\\\"x\\\"}\",\"model\":\"nested\"}}],"
                + "\"model\":\"mistral-small-2506\",\"object\":\"chat.completion\" }");
        MistralAnswer answer = MistralAnswer.read(body, JSON);
        assertSame(body, answer.body(), "relayed untouched");
        assertEquals("mistral-small-2506", answer.model(), "the top-level model, not a nested one");
        assertEquals("mistral-small-2506", answer.modelOr("asked-for"), "the model that answered");
        assertEquals("cmpl-1", answer.id());
        assertEquals(5, answer.usage().path("prompt_tokens").asLong());
        assertEquals(4, answer.usage().path("completion_tokens").asLong());
        assertEquals(-1, answer.pagesProcessed());
    }

    @Test
    void readsOcrPagesAndToleratesFieldsOfAnotherType() {
        MistralAnswer answer = MistralAnswer.read(Buffer.buffer(
                "{\"model\":{\"odd\":true},\"id\":[1,2],\"usage\":[3],\"usage_info\":{\"pages_processed\":7,\"x\":{}}}"), JSON);
        assertNull(answer.model());
        assertEquals("asked-for", answer.modelOr("asked-for"), "the model asked for, when the answer names none");
        assertNull(answer.id());
        assertTrue(answer.usage().isMissingNode());
        assertEquals(7, answer.pagesProcessed());
    }

    @Test
    void anythingButOneJsonObjectIsAProtocolError() {
        for (String body : new String[] { "", "[]", "\"text\"", "{\"model\":\"m\"", "{\"a\":1}{\"b\":2}", "{\"a\":1} x",
                "<html>" }) {
            assertThrows(MistralProtocolException.class, () -> MistralAnswer.read(Buffer.buffer(body), JSON), body);
        }
    }
}
