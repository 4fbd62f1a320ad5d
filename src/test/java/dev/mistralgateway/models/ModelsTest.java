package dev.mistralgateway.models;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.health.MistralHealthProbe;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
@WithTestResource(SimulatorResource.class)
class ModelsTest {

    private static final String SIMULATED = "Model card from the Mistral simulator";

    @Inject
    MistralHealthProbe probe;

    @BeforeEach
    void probeThenReset() {
        probe.probe().await().indefinitely();
        Simulator.reset();
    }

    @Test
    void listsMistralsCardsOfTheAllowedModelsWithoutCallingMistral() {
        given().get("/v1/models")
                .then().statusCode(200)
                .header("X-Request-Id", notNullValue())
                .body("object", equalTo("list"))
                .body("data.id", contains("mistral-small-2506", "mistral-large-2411", "mistral-embed",
                        "mistral-tiny-2312", "codestral-2508", "mistral-moderation-2411", "mistral-ocr-2505",
                        "voxtral-mini-2507"))
                .body("data.object", everyItem(equalTo("model")))
                .body("data.type", everyItem(equalTo("base")))
                .body("data.owned_by", everyItem(equalTo("mistralai")))
                .body("data.capabilities.completion_chat", everyItem(notNullValue()))
                .body("data.max_context_length", everyItem(notNullValue()))
                .body("data[0].description", equalTo(SIMULATED))
                // Allowed, but unknown to Mistral: the built-in card.
                .body("data[3].description", containsString("built into the gateway"));
        assertEquals(0, Simulator.upstreamCalls());
    }

    @Test
    void retrievesOneModelsCard() {
        given().get("/v1/models/codestral-2508")
                .then().statusCode(200)
                .header("X-Request-Id", notNullValue())
                .body("id", equalTo("codestral-2508"))
                .body("capabilities.completion_fim", equalTo(true))
                .body("description", equalTo(SIMULATED));
        assertEquals(0, Simulator.upstreamCalls());
    }

    @Test
    void answers404InTheErrorShapeForAModelItDoesNotServe() {
        given().get("/v1/models/gpt-4o")
                .then().statusCode(404)
                .header("X-Request-Id", notNullValue())
                .body("error.type", equalTo("not_found_error"))
                .body("error.message", containsString("'gpt-4o' is not served by this gateway"));
    }

    @Test
    void refusesAChatCallNamingAnEmbeddingModelAndSaysWhy() {
        given().contentType(ContentType.JSON)
                .body("{\"model\":\"mistral-embed\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/v1/chat/completions")
                .then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.message", containsString("'mistral-embed' does not support chat completions"));
        assertEquals(0, Simulator.upstreamCalls());
    }

    @Test
    void refusesEmbeddingsNamingAChatModelAndSaysWhy() {
        given().contentType(ContentType.JSON).body("{\"model\":\"mistral-small-2506\",\"input\":\"hi\"}")
                .post("/v1/embeddings")
                .then().statusCode(400)
                .body("error.message", containsString("'mistral-small-2506' does not support embeddings"))
                .body("error.message", containsString("models that do: [mistral-embed]"));
        assertEquals(0, Simulator.upstreamCalls());
    }

    @Test
    void answersAnUnknownApiPathWith404NamingTheSupportedEndpoints() {
        given().contentType(ContentType.JSON).body("{}").post("/v1/files")
                .then().statusCode(404)
                .header("X-Request-Id", notNullValue())
                .body("error.type", equalTo("not_found_error"))
                .body("error.message", containsString("/v1/fim/completions"))
                .body("error.message", containsString("/v1/models/{id}"));
    }
}
