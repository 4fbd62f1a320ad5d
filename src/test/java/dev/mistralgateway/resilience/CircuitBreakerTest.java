package dev.mistralgateway.resilience;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.simulator.Fault;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * The breaker, transition by transition: 5 failed calls open it for the delay (1 s in tests), then one
 * trial call decides. Only outages count. Retries (2 in tests) are calls too, so one client request makes up to 3.
 */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
class CircuitBreakerTest {

    static final String PING = "{\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}";
    private static final Fault SERVER_ERRORS = Fault.status(500).times(-1).endpoint("chat");

    @Inject
    CircuitBreakerStatus breaker;

    @BeforeEach
    void resetSimulator() {
        Simulator.reset();
    }

    static Response chat() {
        return given().contentType(ContentType.JSON).body(PING).post("/api/chat");
    }

    /** Five upstream 500s: the first request makes three calls (502), the second two more and meets the open circuit. */
    private void openTheCircuit() {
        Simulator.inject(SERVER_ERRORS);
        chat().then().statusCode(502);
        chat().then().statusCode(503).body("error.type", equalTo("circuit_open"));
        assertEquals(5, Simulator.count("chat"));
        assertEquals(CircuitBreakerStatus.State.OPEN, breaker.state());
    }

    @Test
    void opensAfterFiveServerErrorsAndFailsFastWithoutCallingMistral() {
        openTheCircuit();
        long start = System.nanoTime();
        chat().then().statusCode(503)
                .contentType(ContentType.JSON)
                .header("Retry-After", "1")
                .body("error.type", equalTo("circuit_open"))
                .body("error.message", containsString("circuit breaker is open"));
        long fastFailMs = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("[chaos] open-circuit fast-fail: %d ms%n", fastFailMs);
        assertTrue(fastFailMs < 200, "fast-fail took " + fastFailMs + " ms");
        assertEquals(5, Simulator.count("chat"), "no upstream call while open");
    }

    @Test
    void halfOpenTrialSuccessClosesTheCircuit() {
        openTheCircuit();
        given().delete(Simulator.url() + "/_simulator/faults").then().statusCode(204);
        await().atMost(Duration.ofSeconds(3)).until(() -> breaker.state() == CircuitBreakerStatus.State.HALF_OPEN);
        chat().then().statusCode(200);
        assertEquals(CircuitBreakerStatus.State.CLOSED, breaker.state());
        assertEquals(6, Simulator.count("chat"));
    }

    @Test
    void halfOpenTrialFailureReopensTheCircuit() {
        openTheCircuit();
        await().atMost(Duration.ofSeconds(3)).until(() -> breaker.state() == CircuitBreakerStatus.State.HALF_OPEN);
        chat().then().statusCode(503).body("error.type", equalTo("circuit_open"));
        assertEquals(6, Simulator.count("chat"), "exactly one trial call");
        assertEquals(CircuitBreakerStatus.State.OPEN, breaker.state());
    }

    @Test
    void fourServerErrorsAndOneSuccessDoNotOpen() {
        Simulator.inject(Fault.status(500).times(4).endpoint("chat"));
        chat().then().statusCode(502);
        chat().then().statusCode(200);
        assertEquals(5, Simulator.count("chat"));
        assertEquals(CircuitBreakerStatus.State.CLOSED, breaker.state());
    }

    @Test
    void clientErrorsNeverOpenTheCircuitAndAreNotRetried() {
        for (int i = 0; i < 10; i++) {
            given().contentType(ContentType.JSON)
                    .body("{\"model\":\"mistral-tiny-2312\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                    .post("/api/chat").then().statusCode(400);
        }
        Simulator.acceptOnlyKey("a-key-the-gateway-does-not-have");
        for (int i = 0; i < 10; i++) {
            chat().then().statusCode(401);
        }
        assertEquals(20, Simulator.count("chat"), "one call each: 4xx are not retried");
        assertEquals(CircuitBreakerStatus.State.CLOSED, breaker.state());
    }

    @Test
    void retriesRateLimitAfterItsRetryAfterAndSucceeds() {
        Simulator.inject(Fault.status(429).retryAfter(1).endpoint("chat"));
        long start = System.nanoTime();
        chat().then().statusCode(200).body("choices[0].message.content", equalTo("Echo: ping"));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("[chaos] 429 with Retry-After 1 s, then success: %d ms%n", elapsedMs);
        assertTrue(elapsedMs >= 1_000 && elapsedMs < 2_500, "retried after " + elapsedMs + " ms");
        assertEquals(2, Simulator.count("chat"));
    }

    @Test
    void retriesServerErrorsWithBackoffAndSucceeds() {
        Simulator.inject(Fault.status(503).times(2).endpoint("chat"));
        chat().then().statusCode(200);
        assertEquals(3, Simulator.count("chat"));
    }

    @Test
    void upstreamHangTimesOutAndCountsAsAFailure() {
        Simulator.inject(Fault.status(500).times(4).endpoint("chat"));
        Simulator.inject(Fault.of(Fault.Type.HANG).endpoint("chat"));
        chat().then().statusCode(502);
        long start = System.nanoTime();
        chat().then().statusCode(504).body("error.type", equalTo("upstream_timeout"));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("[chaos] hang -> 504: %d ms (timeout 2000 ms)%n", elapsedMs);
        assertTrue(elapsedMs >= 1_900 && elapsedMs < 3_500, "timed out after " + elapsedMs + " ms");
        assertEquals(CircuitBreakerStatus.State.OPEN, breaker.state(), "4 errors and the timeout make 5 failures");
    }

    @Test
    void streamsFeedTheSameBreaker() {
        Simulator.inject(SERVER_ERRORS);
        String stream = "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}";
        given().contentType(ContentType.JSON).body(stream).post("/v1/chat/completions").then().statusCode(502);
        given().contentType(ContentType.JSON).body(stream).post("/v1/chat/completions").then().statusCode(503);
        assertEquals(CircuitBreakerStatus.State.OPEN, breaker.state());
        chat().then().statusCode(503).body("error.type", equalTo("circuit_open"));
    }
}
