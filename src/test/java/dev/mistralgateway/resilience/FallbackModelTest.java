package dev.mistralgateway.resilience;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.simulator.Fault;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(FallbackModelTest.LargeFallsBackToSmall.class)
class FallbackModelTest {

    public static class LargeFallsBackToSmall implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mistral.fallback-models.\"mistral-large-2411\"", "mistral-small-2506");
        }
    }

    private static final String LARGE = "{\"model\":\"mistral-large-2411\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @BeforeEach
    void resetSimulator() {
        Simulator.reset();
    }

    @Test
    void answersWithTheFallbackModelWhenThePrimaryIsDown() {
        Simulator.inject(Fault.status(503).times(-1).match("mistral-large-2411"));
        given().contentType(ContentType.JSON).body(LARGE).post("/api/chat")
                .then().statusCode(200)
                .body("model", equalTo("mistral-small-2506"))
                .body("choices[0].message.content", equalTo("Echo: hi"));
        assertEquals(4, Simulator.count("chat"), "three attempts on the primary, one on the fallback");
    }

    @Test
    void doesNotFallBackWhenMistralRefusesTheRequest() {
        Simulator.inject(Fault.status(422).match("mistral-large-2411"));
        given().contentType(ContentType.JSON).body(LARGE).post("/api/chat").then().statusCode(422);
        assertEquals(1, Simulator.count("chat"));
    }

    @Test
    void streamsFallBackToo() {
        Simulator.inject(Fault.status(503).times(-1).match("mistral-large-2411"));
        String body = given().contentType(ContentType.JSON).body(LARGE.replace("{\"model\"", "{\"stream\":true,\"model\""))
                .post("/v1/chat/completions").then().statusCode(200).extract().asString();
        assertEquals(true, body.contains("\"model\":\"mistral-small-2506\""), body);
    }
}
