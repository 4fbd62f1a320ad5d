package dev.mistralgateway.tracing;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.mistralgateway.simulator.Fault;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/** With tracing switched on, each Mistral call is a client span with GenAI attributes and no message content. */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(TracingTest.TracingOn.class)
class TracingTest {

    public static class TracingOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "false",
                    "quarkus.otel.exporter.otlp.traces.endpoint", "http://127.0.0.1:1",
                    "quarkus.otel.bsp.schedule.delay", "50ms");
        }
    }

    @Inject
    InMemorySpanExporter spans;

    @Test
    void mistralCallIsAClientSpanWithGenAiAttributesAndNoContent() {
        Simulator.reset();
        spans.reset();
        given().contentType(ContentType.JSON)
                .body("{\"model\":\"mistral-large-2411\",\"max_tokens\":50,\"temperature\":0.2,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"trace-canary-5150\"}]}")
                .post("/api/chat").then().statusCode(200);
        SpanData span = await().atMost(Duration.ofSeconds(10)).until(
                () -> spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("chat mistral-large-2411"))
                        .findFirst().orElse(null),
                found -> found != null);
        assertEquals(SpanKind.CLIENT, span.getKind());
        assertEquals("mistral_ai", span.getAttributes().get(AttributeKey.stringKey("gen_ai.system")));
        assertEquals("chat", span.getAttributes().get(AttributeKey.stringKey("gen_ai.operation.name")));
        assertEquals("mistral-large-2411", span.getAttributes().get(AttributeKey.stringKey("gen_ai.request.model")));
        assertEquals(50L, span.getAttributes().get(AttributeKey.longKey("gen_ai.request.max_tokens")));
        assertEquals(0.2, span.getAttributes().get(AttributeKey.doubleKey("gen_ai.request.temperature")), 1e-9);
        assertEquals(9L, span.getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens")));
        assertEquals(7L, span.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens")));
        assertNull(span.getAttributes().get(AttributeKey.stringKey("error.type")));
        for (SpanData any : spans.getFinishedSpanItems()) {
            assertFalse(any.getAttributes().toString().contains("5150"), "no message content in spans: " + any);
        }
    }

    @Test
    void failedCallIsAnErrorSpanNamingTheExceptionClass() {
        Simulator.reset();
        spans.reset();
        Simulator.inject(Fault.status(400).message("secret upstream text").endpoint("chat"));
        given().contentType(ContentType.JSON).body("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                .post("/api/chat").then().statusCode(400);
        SpanData span = await().atMost(Duration.ofSeconds(10)).until(
                () -> spans.getFinishedSpanItems().stream().filter(s -> s.getName().startsWith("chat "))
                        .findFirst().orElse(null),
                found -> found != null);
        assertEquals("MistralApiException", span.getAttributes().get(AttributeKey.stringKey("error.type")));
        assertFalse(span.getAttributes().toString().contains("secret upstream text"));
    }
}
