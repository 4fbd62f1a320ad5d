package dev.mistralgateway.chat;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(LatestAliasesAllowedTest.AllowLatest.class)
class LatestAliasesAllowedTest {

    public static class AllowLatest implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mistral.allow-latest-aliases", "true",
                    "mistral.models", "mistral-small-2506,mistral-small-latest,mistral-embed");
        }
    }

    @Test
    void letsAllowListedLatestAliasThroughWhenConfigured() {
        given().contentType(ContentType.JSON)
                .body("{\"model\":\"mistral-small-latest\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/api/chat")
                .then().statusCode(200)
                .body("model", equalTo("mistral-small-latest"));
    }
}
