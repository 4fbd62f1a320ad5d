package dev.mistralgateway.chat;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.mistralgateway.testing.AllowLatestProfile;
import dev.mistralgateway.testing.Metrics;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(AllowLatestProfile.class)
class LatestAliasesAllowedTest {

    @Test
    void modelWithoutAPriceIsChargedTheFallbackPriceAndFlagged() {
        double before = Metrics.value("mistral_spend_unpriced_tokens_total", "model=\"mistral-small-latest\"");
        double spendBefore = Metrics.value("mistral_spend_usd_total", "model=\"mistral-small-latest\"");
        given().contentType(ContentType.JSON)
                .body("{\"model\":\"mistral-small-latest\",\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}")
                .post("/api/chat").then().statusCode(200);
        assertEquals(9, Metrics.value("mistral_spend_unpriced_tokens_total", "model=\"mistral-small-latest\"") - before);
        // 5 prompt and 4 completion tokens at the fallback price of $2 / $6 per million: never zero.
        assertEquals(34e-6, Metrics.value("mistral_spend_usd_total", "model=\"mistral-small-latest\"") - spendBefore, 1e-12);
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
