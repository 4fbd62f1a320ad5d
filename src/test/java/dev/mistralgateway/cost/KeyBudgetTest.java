package dev.mistralgateway.cost;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.mistralgateway.testing.AuthProfile;
import dev.mistralgateway.testing.Metrics;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * A client key with a USD budget of its own: team-a may spend $0.0001 a day, team-b has no budget. Its spend is
 * counted from usage as the hourly budget's (a stream from its final chunk); once spent, its calls get 429
 * {@code key_budget_exhausted} with {@code Retry-After} before Mistral is called, and other keys go on.
 */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(KeyBudgetTest.TeamABudget.class)
class KeyBudgetTest {

    /** A "ping" to mistral-large-2411 with max_tokens 4 costs $0.000034 (reserved: $0.000042). */
    static final double PING_USD = 0.000034;

    public static class TeamABudget extends AuthProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("gateway.keys.\"team-a\".budget.daily-usd", "0.0001");
            config.put("gateway.keys.\"team-a\".budget.monthly-usd", "1");
            return config;
        }
    }

    private static Response chat(String key, boolean stream) {
        return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .body("{\"model\":\"mistral-large-2411\",\"max_tokens\":4,\"stream\":" + stream
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}")
                .post("/api/chat");
    }

    @Test
    void aKeyThatSpentItsDailyBudgetIsRefusedBeforeMistralAndOtherKeysGoOn() {
        Simulator.reset();
        assertEquals(200, chat(AuthProfile.TEAM_A_KEY, false).statusCode());
        assertEquals(200, chat(AuthProfile.TEAM_A_KEY, false).statusCode());
        // $0.000068 spent, under $0.0001: admitted, and streamed, so its spend comes from the final chunk's usage.
        Response stream = chat(AuthProfile.TEAM_A_KEY, true);
        assertEquals(200, stream.statusCode());
        assertTrue(stream.asString().contains("data: [DONE]"), stream.asString());
        await("the stream's usage is booked").atMost(Duration.ofSeconds(5)).until(() -> Metrics.value(
                "mistral_key_budget_spend_usd", "key=\"team-a\"", "window=\"day\"") >= 3 * PING_USD - 1e-12);
        long calls = Simulator.count("chat");

        for (boolean streamed : new boolean[] { false, true }) {
            chat(AuthProfile.TEAM_A_KEY, streamed).then().statusCode(429)
                    .header("Retry-After", org.hamcrest.Matchers.notNullValue())
                    .body("error.type", equalTo("key_budget_exhausted"))
                    .body("error.message", containsString("Key 'team-a' has spent its own budget ($0.00010 a day,"
                            + " $1.00 in 30 days"));
        }
        assertEquals(calls, Simulator.count("chat"), "refused before Mistral, streams included");
        long retryAfter = Long.parseLong(chat(AuthProfile.TEAM_A_KEY, false).header("Retry-After"));
        assertTrue(retryAfter > 79_000 && retryAfter <= 86_400, "the day frees when its first hour leaves: " + retryAfter);
        assertEquals(200, chat(AuthProfile.TEAM_B_KEY, false).statusCode(), "team-b has no budget of its own");

        assertEquals(3 * PING_USD, Metrics.value("mistral_key_budget_spend_usd", "key=\"team-a\"", "window=\"day\""),
                1e-12);
        assertEquals(0.0001, Metrics.value("mistral_key_budget_limit_usd", "key=\"team-a\"", "window=\"day\""), 1e-12);
        assertEquals(0, Metrics.value("mistral_key_budget_remaining_usd", "key=\"team-a\"", "window=\"day\""), 1e-12);
        assertEquals(1 - 3 * PING_USD, Metrics.value("mistral_key_budget_remaining_usd", "key=\"team-a\"",
                "window=\"month\""), 1e-9);
        assertTrue(Metrics.value("mistral_errors_total", "reason=\"key_budget_exhausted\"", "status=\"429\"") >= 3);
        assertTrue(!Metrics.scrape().contains("key=\"team-b\",window="), "no budget series for a key without one");
    }
}
