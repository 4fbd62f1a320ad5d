package dev.mistralgateway.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/** An answer from Mistral larger than the configured bound is refused, not buffered and relayed. */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(ResponseSizeLimitTest.TinyResponses.class)
class ResponseSizeLimitTest {

    public static class TinyResponses implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The simulator's answer to "ping" is about 300 bytes.
            return Map.of("mistral.max-response-size", "200");
        }
    }

    @Test
    void oversizedAnswerIsA502() {
        Simulator.reset();
        given().contentType(ContentType.JSON).body("{\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}")
                .post("/api/chat")
                .then().statusCode(502)
                .body("error.type", equalTo("upstream_invalid_response"))
                .body("error.message", containsString("over the gateway's limit of 200 bytes"));
    }
}
