package dev.mistralgateway.metrics;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.mistralgateway.simulator.Fault;
import dev.mistralgateway.testing.Metrics;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * 40 simultaneous requests against a budget worth 3 calls, with Mistral answering in 1 s: each admitted call reserves
 * its most (prompt estimate plus {@code max_tokens} at the output price) before it is made, so the calls in flight
 * count at once and at most 3 reach Mistral: a call is admitted while the spend plus the open reservations is under
 * the budget, so at most the budget over one reservation, rounded up. Before, spend was booked only after the answers
 * and all 40 went through. Once the calls are answered nothing stays reserved, and the spend is their usage.
 */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(ConcurrentBudgetTest.ThreeCallBudget.class)
class ConcurrentBudgetTest {

    static final int CLIENTS = 40;

    public static class ThreeCallBudget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The simulator's answer to "ping" with max_tokens 4 costs $0.0000017 on mistral-small-2506 (5 prompt and 4
            // completion tokens at $0.1 and $0.3 a million); its reservation is $0.0000021.
            return Map.of("gateway.budget.hourly-usd", "0.0000051");
        }
    }

    @Test
    void concurrentCallsCannotOverrunTheBudget() throws Exception {
        Simulator.reset();
        Simulator.inject(Fault.of(Fault.Type.LATENCY).latency(1000).times(-1));
        String ping = "{\"model\":\"mistral-small-2506\",\"max_tokens\":4,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}";
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<Integer>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                answers.add(clients.submit(() -> given().contentType(ContentType.JSON).body(ping).post("/api/chat")
                        .statusCode()));
            }
            int ok = 0;
            int refused = 0;
            for (Future<Integer> answer : answers) {
                int status = answer.get(30, TimeUnit.SECONDS);
                ok += status == 200 ? 1 : 0;
                refused += status == 429 ? 1 : 0;
            }
            long calls = Simulator.count("chat");
            System.out.printf("[budget] %d concurrent requests, budget worth 3 calls: %d answered, %d refused, %d Mistral"
                    + " calls%n", CLIENTS, ok, refused, calls);
            assertEquals(CLIENTS, ok + refused);
            assertEquals(ok, calls, "every answered request is one call; no refused one reached Mistral");
            assertTrue(calls >= 1 && calls <= 3, calls + " Mistral calls for a budget worth 3");
            await("every reservation settled").atMost(Duration.ofSeconds(5))
                    .until(() -> Metrics.value("mistral_budget_reserved_usd") == 0);
            assertEquals(calls * 0.0000017, Metrics.value("mistral_budget_spend_usd"), 1e-12,
                    "the spend is what the answered calls used, their reservations settled");
            // The refusal shows the budget with the digits it needs (it said "$0.00" for any budget under a cent).
            given().contentType(ContentType.JSON).body(ping).post("/api/chat").then().statusCode(429)
                    .body("error.message", org.hamcrest.Matchers.containsString("hourly budget of $0.0000051"));
        } finally {
            clients.shutdownNow();
            Simulator.reset();
        }
    }
}
