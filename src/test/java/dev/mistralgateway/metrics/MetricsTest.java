package dev.mistralgateway.metrics;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.simulator.Fault;
import dev.mistralgateway.testing.Metrics;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** The {@code mistral_*} series move as operators expect after real traffic through the simulator. */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
class MetricsTest {

    private static final String LARGE_PING = "{\"model\":\"mistral-large-2411\",\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}";

    @BeforeEach
    void resetSimulator() {
        Simulator.reset();
    }

    private static void post(String path, String body, int status) {
        given().contentType(ContentType.JSON).body(body).post(path).then().statusCode(status);
    }

    @Test
    void countsTheRequestItsTokensAndItsSpend() {
        String before = Metrics.scrape();
        post("/api/chat", LARGE_PING, 200);
        String after = Metrics.scrape();
        String[] ok = { "endpoint=\"chat\"", "model=\"mistral-large-2411\"", "stream=\"false\"", "status=\"200\"",
                "status_class=\"2xx\"" };
        assertEquals(1, delta(before, after, "mistral_requests_total", ok));
        // "ping": 5 prompt and 4 completion tokens in the simulator; large costs $2 / $6 per million.
        assertEquals(5, delta(before, after, "mistral_tokens_total", "model=\"mistral-large-2411\"", "type=\"prompt\""));
        assertEquals(4, delta(before, after, "mistral_tokens_total", "model=\"mistral-large-2411\"", "type=\"completion\""));
        assertEquals(34e-6, delta(before, after, "mistral_spend_usd_total", "model=\"mistral-large-2411\""), 1e-12);
        assertEquals(1, delta(before, after, "mistral_upstream_latency_seconds_count",
                "model=\"mistral-large-2411\"", "endpoint=\"chat\"", "outcome=\"success\""));
        assertTrue(Metrics.valueIn(after, "mistral_upstream_latency_seconds_bucket", "le=\"30.0\"") > 0,
                "buckets reach 30 s for histogram_quantile");
    }

    @Test
    void withoutABudgetThereIsNoBudgetLimitSeries() {
        post("/api/chat", LARGE_PING, 200);
        String scrape = Metrics.scrape();
        assertTrue(scrape.contains("\nmistral_budget_spend_usd"), "the spend gauge is exported");
        assertFalse(scrape.contains("mistral_budget_limit_usd"),
                "no budget is configured: a limit of 0 would read as no money left");
    }

    @Test
    void streamUsageComesFromTheFinalChunk() {
        String before = Metrics.scrape();
        post("/v1/chat/completions", "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}", 200);
        String after = Metrics.scrape();
        assertEquals(4, delta(before, after, "mistral_tokens_total", "model=\"mistral-small-2506\"", "type=\"completion\""));
        assertEquals(1, delta(before, after, "mistral_upstream_time_to_first_token_seconds_count", "model=\"mistral-small-2506\""));
        assertEquals(1, delta(before, after, "mistral_requests_total", "stream=\"true\"", "status=\"200\""));
    }

    @Test
    void countsEachFailureOnceByReason() {
        String before = Metrics.scrape();
        Simulator.inject(Fault.status(500).times(-1).endpoint("chat"));
        post("/api/chat", LARGE_PING, 502);
        Simulator.reset();
        Simulator.inject(Fault.status(429).retryAfter(30).endpoint("chat"));
        post("/api/chat", LARGE_PING, 429);
        Simulator.acceptOnlyKey("another-key");
        post("/api/chat", LARGE_PING, 401);
        Simulator.reset();
        post("/api/chat", "{\"messages\":[]}", 400);
        String after = Metrics.scrape();
        assertEquals(3, delta(before, after, "mistral_errors_total", "reason=\"server_error\"", "status=\"500\""),
                "three attempts, three upstream failures");
        assertEquals(1, delta(before, after, "mistral_errors_total", "reason=\"rate_limited\"", "status=\"429\""));
        assertEquals(1, delta(before, after, "mistral_errors_total", "reason=\"auth\"", "status=\"401\""));
        assertEquals(1, delta(before, after, "mistral_errors_total", "reason=\"invalid_request\"", "status=\"400\""));
        assertEquals(1, delta(before, after, "mistral_requests_total", "status=\"502\"", "status_class=\"5xx\""));
    }

    @Test
    void circuitStateAndTransitionsAreExported() {
        String before = Metrics.scrape();
        Simulator.inject(Fault.status(503).times(-1).endpoint("chat"));
        post("/api/chat", LARGE_PING, 502);
        post("/api/chat", LARGE_PING, 503);
        String after = Metrics.scrape();
        assertEquals(2, Metrics.valueIn(after, "mistral_circuit_breaker_state"));
        assertEquals(1, delta(before, after, "mistral_circuit_breaker_transitions_total", "to=\"open\""));
        assertEquals(1, delta(before, after, "mistral_errors_total", "reason=\"circuit_open\"", "status=\"503\""));
        Simulator.reset();
        assertEquals(0, Metrics.value("mistral_circuit_breaker_state"));
    }

    @Test
    void rateLimitHeadersBecomeGauges() {
        post("/api/chat", LARGE_PING, 200);
        String scrape = Metrics.scrape();
        assertEquals(6000, Metrics.valueIn(scrape, "mistral_ratelimit_limit_requests"));
        assertEquals(2_000_000, Metrics.valueIn(scrape, "mistral_ratelimit_limit_tokens"));
        double remaining = Metrics.valueIn(scrape, "mistral_ratelimit_remaining_requests");
        assertTrue(remaining >= 0 && remaining < 6000, "remaining requests counted down: " + remaining);
        assertTrue(Metrics.valueIn(scrape, "mistral_ratelimit_remaining_tokens") < 2_000_000);
    }

    @Test
    void noLabelCarriesContentModelNamesFromClientsOrKeys() {
        // Letters only: a canary of digits can also turn up in a metric's value (the likely cause of one failure
        // with "4711").
        post("/api/chat", "{\"messages\":[{\"role\":\"user\",\"content\":\"label-canary-zqxv\"}]}", 200);
        post("/api/chat", "{\"model\":\"canary-model-zqxv\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", 400);
        String scrape = Metrics.scrape();
        assertFalse(scrape.contains("zqxv"),
                "no client text in any series: " + scrape.lines().filter(l -> l.contains("zqxv")).toList());
        assertFalse(scrape.contains(Simulator.gatewayMistralKey()), "no key in any series");
        assertTrue(scrape.contains("model=\"other\""), "unknown models are labelled 'other'");
    }

    @Test
    void everyApiResponseCarriesARequestId() {
        String id = given().contentType(ContentType.JSON).body(LARGE_PING).post("/api/chat")
                .then().statusCode(200).extract().header("X-Request-Id");
        assertTrue(id != null && id.length() >= 8, "generated id: " + id);
        given().header("X-Request-Id", "client-chosen-42").contentType(ContentType.JSON).body("{}").post("/api/chat")
                .then().statusCode(400).header("X-Request-Id", "client-chosen-42");
    }

    private static double delta(String before, String after, String name, String... labels) {
        return Metrics.valueIn(after, name, labels) - Metrics.valueIn(before, name, labels);
    }
}
