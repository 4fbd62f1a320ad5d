package dev.mistralgateway.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

/** Each key has its own allowance: 3 requests a minute and 15 Mistral tokens an hour in this profile. */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(KeyLimitsTest.TightLimits.class)
class KeyLimitsTest {

    public static class TightLimits extends AuthProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("gateway.key-limits.requests-per-minute", "3");
            config.put("gateway.key-limits.hourly-tokens", "15");
            return config;
        }
    }

    private static int chat(String key, String content) {
        return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .body("{\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}")
                .post("/api/chat").statusCode();
    }

    @Test
    void requestRateIsLimitedPerKeyWith429AndRetryAfter() {
        Simulator.reset();
        // max_tokens 1 leaves the simulator's answer empty: 5 tokens a request, under team-a's 15 for three requests.
        for (int i = 0; i < 3; i++) {
            given().header("Authorization", "Bearer " + AuthProfile.TEAM_A_KEY).contentType(ContentType.JSON)
                    .body("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":1}")
                    .post("/api/chat").then().statusCode(200);
        }
        long calls = Simulator.count("chat");
        given().header("Authorization", "Bearer " + AuthProfile.TEAM_A_KEY).contentType(ContentType.JSON)
                .body("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").post("/api/chat")
                .then().statusCode(429)
                .header("Retry-After", notNullValue())
                .body("error.type", equalTo("key_rate_limited"))
                .body("error.message", containsString("Key 'team-a' is over its request rate limit"));
        assertEquals(calls, Simulator.count("chat"), "refused without calling Mistral");
        assertEquals(1, Metrics.value("mistral_errors_total", "reason=\"key_rate_limited\"", "status=\"429\""));
    }

    @Test
    void hourlyTokenAllowanceIsPerKey() {
        Simulator.reset();
        // "ping": 9 tokens a request in the simulator; the second request passes (9 < 15) and brings team-b to 18.
        assertEquals(200, chat(AuthProfile.TEAM_B_KEY, "ping"));
        assertEquals(200, chat(AuthProfile.TEAM_B_KEY, "ping"));
        given().header("Authorization", "Bearer " + AuthProfile.TEAM_B_KEY).contentType(ContentType.JSON)
                .body("{\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}").post("/api/chat")
                .then().statusCode(429)
                .body("error.message", containsString("Key 'team-b' used its hourly token allowance"));
    }
}
