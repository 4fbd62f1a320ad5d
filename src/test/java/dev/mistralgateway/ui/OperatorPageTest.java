package dev.mistralgateway.ui;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.simulator.Fault;
import dev.mistralgateway.testing.AuthProfile;
import dev.mistralgateway.testing.Management;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

/** The operator page: on the management port only, complete without script, and never a key or a prompt. */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(AuthProfile.class)
class OperatorPageTest {

    private static final String PROMPT = "operator-page-private-prompt-7f3a";

    @BeforeEach
    void resetSimulator() {
        Simulator.reset();
    }

    private static String page() {
        return Management.given().get("/ui").then().statusCode(200)
                .header("Content-Type", "text/html; charset=utf-8").extract().asString();
    }

    @Test
    void isServedOnTheManagementPortOnly() {
        given().get("/ui").then().statusCode(401);
        given().header("Authorization", "Bearer " + AuthProfile.TEAM_A_KEY).get("/ui").then().statusCode(404)
                .contentType(ContentType.JSON);
        String html = page();
        assertTrue(html.contains("<h1>Mistral Gateway</h1>"), html);
    }

    @Test
    void showsEveryKeyByNameTheirRequestsAndTheLastFailures() {
        given().header("Authorization", "Bearer " + AuthProfile.TEAM_A_KEY).contentType(ContentType.JSON)
                .body("{\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT + "\"}]}")
                .post("/api/chat").then().statusCode(200);
        Simulator.inject(Fault.status(400).match(PROMPT + "-refused"));
        String requestId = given().header("Authorization", "Bearer " + AuthProfile.TEAM_B_KEY)
                .contentType(ContentType.JSON)
                .body("{\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT + "-refused\"}]}")
                .post("/api/chat").then().statusCode(400).extract().header("X-Request-Id");

        String html = page();
        assertTrue(html.contains("<th scope=\"row\">team-a</th>"), html);
        assertTrue(html.contains("<th scope=\"row\">team-b</th>"), html);
        assertTrue(html.contains(requestId), "the failed request's id is listed:\n" + html);
        assertTrue(html.contains("invalid_request_error"), "with its error type");
        assertTrue(html.contains("mistral-small-2506"), "the model catalogue");
        assertTrue(html.contains("data-test=\"breaker-state\">closed<"), html);
        assertFalse(html.contains(PROMPT), "no prompt text");
        assertFalse(html.contains(AuthProfile.TEAM_A_KEY) || html.contains(AuthProfile.TEAM_B_KEY), "no key");
        assertFalse(html.contains(Simulator.gatewayMistralKey()), "no Mistral key");
    }

    @Test
    void theRefreshFetchesTheMainPartAlone() {
        String main = Management.given().queryParam("part", "main").get("/ui").then().statusCode(200).extract()
                .asString();
        assertTrue(main.contains("data-test=\"breaker-state\""), main);
        assertFalse(main.contains("<html"), "a fragment, not a page");
        assertFalse(main.contains("<script"), "the script stays in the page");
    }

    @Test
    void showsTheBreakerOpenWithWhenItLetsATrialCallThrough() {
        Simulator.inject(Fault.status(500).times(-1).endpoint("chat"));
        for (int i = 0; i < 5; i++) {
            given().header("Authorization", "Bearer " + AuthProfile.TEAM_A_KEY).contentType(ContentType.JSON)
                    .body("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").post("/api/chat");
        }
        String html = page();
        Simulator.reset();
        CircuitBreakerMaintenance.get().resetAll();
        assertTrue(html.contains("data-test=\"breaker-state\">open<"), html);
        assertTrue(html.contains("Lets a trial call through in"), html);
        assertEquals(-1, html.indexOf("anonymous"), "auth is on: every request carries a key's name");
    }
}
