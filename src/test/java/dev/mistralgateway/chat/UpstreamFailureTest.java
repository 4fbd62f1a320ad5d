package dev.mistralgateway.chat;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.simulator.Fault;
import dev.mistralgateway.testing.Management;
import dev.mistralgateway.testing.Metrics;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import dev.mistralgateway.testing.SseEvents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** How each kind of Mistral failure reaches the client: status, error type, message, Retry-After. */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
class UpstreamFailureTest {

    private static final String PING = ChatApiTest.PING;
    private static final String STREAM_PING = "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}";

    @BeforeEach
    void resetSimulator() {
        Simulator.reset();
    }

    @Test
    void passesMistrals401Through() {
        Simulator.acceptOnlyKey("a-key-the-gateway-does-not-have");
        given().contentType(ContentType.JSON).body(PING).post("/api/chat")
                .then().statusCode(401)
                .body("error.type", equalTo("upstream_authentication_error"))
                .body("error.message", containsString("Mistral rejected the gateway's API key"));
        assertEquals(1, Simulator.count("unauthorized"));
    }

    @Test
    void passesMistrals400ThroughWithItsMessage() {
        // mistral-tiny-2312 is allow-listed in the test profile but unknown to the simulator, as to Mistral today.
        given().contentType(ContentType.JSON)
                .body("{\"model\":\"mistral-tiny-2312\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/v1/chat/completions")
                .then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.message", equalTo("Invalid model: mistral-tiny-2312"));
    }

    @Test
    void mapsMistral500To502() {
        Simulator.inject(Fault.status(500).times(-1));
        given().contentType(ContentType.JSON).body(PING).post("/api/chat")
                .then().statusCode(502)
                .body("error.type", equalTo("upstream_error"))
                .body("error.message", containsString("HTTP 500"));
    }

    @Test
    void mapsMistral503To502KeepingRetryAfter() {
        // Retry-After beyond the request's 5 s budget: not waited for, passed on.
        Simulator.inject(Fault.status(503).retryAfter(30));
        given().contentType(ContentType.JSON).body(PING).post("/api/chat")
                .then().statusCode(502)
                .header("Retry-After", "30")
                .body("error.message", containsString("HTTP 503"));
    }

    @Test
    void passesRateLimitThroughWhenRetryAfterExceedsTheBudget() {
        Simulator.inject(Fault.status(429).retryAfter(7));
        long start = System.nanoTime();
        given().contentType(ContentType.JSON).body(PING).post("/api/chat")
                .then().statusCode(429)
                .header("Retry-After", "7")
                .body("error.type", equalTo("rate_limit_error"));
        assertTrue((System.nanoTime() - start) / 1_000_000 < 1_000, "a Retry-After of 7 s in a 5 s budget is not waited");
        assertEquals(1, Simulator.count("chat"), "not retried");
    }

    @Test
    void answers504WhenMistralHangsPastTheReadTimeout() {
        Simulator.inject(Fault.of(Fault.Type.HANG));
        long start = System.nanoTime();
        given().contentType(ContentType.JSON).body(PING).post("/api/chat")
                .then().statusCode(504)
                .body("error.type", equalTo("upstream_timeout"));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        // mistral.timeout.read is 2s in the test profile.
        assertTrue(elapsedMs >= 1_900 && elapsedMs < 4_000, "answered after " + elapsedMs + " ms");
        // The hung connection is given up, not reused for the next request.
        await().atMost(Duration.ofSeconds(3)).until(() -> Simulator.count("hangs_abandoned") == 1);
    }

    @Test
    void aHungCallIsCountedOnceAndItsConnectionReleasedAtTheTimeout() {
        String before = Metrics.scrape();
        Simulator.inject(Fault.of(Fault.Type.HANG));
        long start = System.nanoTime();
        given().contentType(ContentType.JSON).body(PING).post("/api/chat").then().statusCode(504);
        // Released with the answer, not at the REST client's backstop one second later.
        await().atMost(Duration.ofMillis(500)).until(() -> Simulator.count("hangs_abandoned") == 1);
        long releasedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(releasedMs < 2_900, "connection released after " + releasedMs + " ms");
        // Past the backstop: still one failure.
        await().pollDelay(Duration.ofMillis(1_200)).atMost(Duration.ofSeconds(3)).until(() -> true);
        String after = Metrics.scrape();
        assertEquals(1.0, Metrics.valueIn(after, "mistral_errors_total", "reason=\"timeout\"")
                - Metrics.valueIn(before, "mistral_errors_total", "reason=\"timeout\""), "one timeout, counted once");
        assertEquals(1.0, Metrics.valueIn(after, "mistral_errors_total") - Metrics.valueIn(before, "mistral_errors_total"));
    }

    @Test
    void answers502WhenMistralResetsTheConnection() {
        Simulator.inject(Fault.of(Fault.Type.RESET));
        given().contentType(ContentType.JSON).body(PING).post("/api/chat")
                .then().statusCode(502)
                .body("error.type", equalTo("upstream_unavailable"));
    }

    @Test
    void answers502WhenMistralSendsGarbage() {
        Simulator.inject(Fault.of(Fault.Type.GARBAGE));
        given().contentType(ContentType.JSON).body(PING).post("/api/chat")
                .then().statusCode(502)
                .body("error.type", equalTo("upstream_invalid_response"));
    }

    @Test
    void streamFailingBeforeItsFirstChunkGetsAProperStatus() {
        Simulator.inject(Fault.status(429).retryAfter(20));
        given().contentType(ContentType.JSON).body(STREAM_PING).post("/v1/chat/completions")
                .then().statusCode(429)
                .contentType(ContentType.JSON)
                .header("Retry-After", "20")
                .body("error.type", equalTo("rate_limit_error"));
    }

    @Test
    void streamDyingMidwayEndsWithAnErrorEventAndNoDone() {
        Simulator.inject(Fault.of(Fault.Type.DIE).afterChunks(2));
        String body = given().contentType(ContentType.JSON)
                .body("{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"a b c d e\"}]}")
                .post("/v1/chat/completions")
                .then().statusCode(200).extract().asString();
        List<String> events = SseEvents.data(body);
        assertEquals(3, events.size(), body);
        assertEquals("upstream_unavailable", new JsonPath(events.get(2)).getString("error.type"));
        assertFalse(events.contains("[DONE]"));
    }

    @Test
    void streamCutCleanlyWithoutDoneEndsWithAnErrorEventAndIsCounted() {
        double before = truncatedStreams();
        Simulator.inject(Fault.of(Fault.Type.TRUNCATE).afterChunks(2));
        String body = given().contentType(ContentType.JSON).body(STREAM_PING).post("/v1/chat/completions")
                .then().statusCode(200).extract().asString();
        List<String> events = SseEvents.data(body);
        assertEquals(3, events.size(), body);
        assertEquals("upstream_truncated_stream", new JsonPath(events.get(2)).getString("error.type"));
        assertEquals(before + 1, truncatedStreams(), 0.0);
    }

    private static double truncatedStreams() {
        return Management.given().get("/q/metrics").then().statusCode(200).extract().asString().lines()
                .filter(line -> line.startsWith("mistral_streams_truncated_total"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElse(0);
    }

    @Test
    void stalledStreamEndsWithATimeoutEvent() {
        Simulator.inject(Fault.of(Fault.Type.STALL).afterChunks(1));
        long start = System.nanoTime();
        String body = given().contentType(ContentType.JSON).body(STREAM_PING).post("/v1/chat/completions")
                .then().statusCode(200).extract().asString();
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("[chaos] stream stalled after 1 chunk -> error event after %d ms (idle timeout 2000 ms)%n", elapsedMs);
        assertTrue(elapsedMs >= 1_900 && elapsedMs < 3_500, "ended after " + elapsedMs + " ms");
        List<String> events = SseEvents.data(body);
        assertEquals("upstream_timeout", new JsonPath(events.get(events.size() - 1)).getString("error.type"), body);
        // The stalled upstream connection is closed, not left open (or handed to the next request).
        await().atMost(Duration.ofSeconds(3)).until(() -> Simulator.count("streams_cancelled") == 1);
    }
}
