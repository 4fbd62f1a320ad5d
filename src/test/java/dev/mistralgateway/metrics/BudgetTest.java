package dev.mistralgateway.metrics;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.mistralgateway.health.MistralHealthProbe;
import dev.mistralgateway.testing.Metrics;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/** With a tiny hourly budget, the first answered request spends it and the next is refused without calling Mistral. */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(BudgetTest.TinyBudget.class)
class BudgetTest {

    public static class TinyBudget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // One "ping" to mistral-large-2411 costs $0.000034 in the simulator's usage figures.
            return Map.of("gateway.budget.hourly-usd", "0.00003");
        }
    }

    @Inject
    MistralHealthProbe probe;

    @Test
    void exhaustedBudgetRefusesNewRequestsWith429AndDegradesHealth() {
        Simulator.reset();
        String large = "{\"model\":\"mistral-large-2411\",\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}";
        given().contentType(ContentType.JSON).body(large).post("/api/chat").then().statusCode(200);
        assertEquals(0.00003, Metrics.value("mistral_budget_limit_usd"), 1e-12);
        // On Redis, answers are booked in batches (every 100 ms): the fleet's gauge shows the spend within one.
        await().atMost(Duration.ofSeconds(2)).until(() -> Metrics.value("mistral_budget_spend_usd") >= 0.000034 - 1e-12);

        given().contentType(ContentType.JSON).body(large).post("/api/chat")
                .then().statusCode(429)
                .header("Retry-After", notNullValue())
                .body("error.type", equalTo("budget_exhausted"))
                .body("error.message", containsString("hourly budget of $0.00"));
        given().contentType(ContentType.JSON).body("{\"input\":\"x\"}").post("/v1/embeddings").then().statusCode(429);
        assertEquals(1, Simulator.count("chat"), "refused requests never reach Mistral");
        assertEquals(0, Simulator.count("embeddings"));
        assertEquals(2, Metrics.value("mistral_errors_total", "reason=\"budget_exhausted\""));

        probe.probe().await().indefinitely();
        given().get("/health").then().statusCode(200)
                .body("status", equalTo("degraded"))
                .body("error", containsString("budget exhausted"));
    }
}
