package dev.mistralgateway.mistral;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.health.MistralHealthProbe;
import dev.mistralgateway.resilience.CircuitBreakerStatus;
import dev.mistralgateway.simulator.Fault;
import dev.mistralgateway.testing.Management;
import dev.mistralgateway.testing.Metrics;
import dev.mistralgateway.testing.MultipartForm;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import dev.mistralgateway.testing.SseEvents;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Two Mistral keys ({@code MISTRAL_API_KEYS=first=...,second=...}) on the simulator, which counts the calls of each key
 * ({@code key1}, {@code key2}) and can misbehave for one key only. The health probe runs when a test asks.
 */
@QuarkusTest
@WithTestResource(value = SimulatorResource.class, initArgs = @ResourceArg(name = "keys", value = "first,second"))
class SeveralUpstreamKeysTest {

    private static final String CHAT = "{\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
    private static final String STREAM = "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"one two\"}]}";

    @Inject
    MistralHealthProbe probe;

    @Inject
    CircuitBreakerStatus breaker;

    @TestHTTPResource("/v1/audio/transcriptions")
    URL transcriptions;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    @AfterEach
    void everyKeyInRotation() {
        Simulator.reset();
        probe.probe().await().indefinitely();
        Simulator.reset();
    }

    private static String first() {
        return Simulator.gatewayMistralKey("first");
    }

    private static Response chat() {
        return given().contentType(ContentType.JSON).body(CHAT).post("/v1/chat/completions");
    }

    @Test
    void takesTurnsBetweenKeysWithEqualHeadroom() {
        for (int i = 0; i < 10; i++) {
            chat().then().statusCode(200);
        }
        // Equal headroom until Mistral's headers say otherwise: each call lowers its key's, so the keys take turns.
        assertTrue(Simulator.count("key1") >= 4 && Simulator.count("key2") >= 4,
                Simulator.count("key1") + " / " + Simulator.count("key2"));
        // Each key's rate limits, as Mistral sent them for that key, by the key's name.
        String scrape = Metrics.scrape();
        for (String name : List.of("first", "second")) {
            double remaining = Metrics.valueIn(scrape, "mistral_ratelimit_remaining_requests", "upstream_key=\"" + name + "\"");
            assertTrue(remaining > 0 && remaining < 6000, name + ": " + remaining);
            assertEquals(6000, Metrics.valueIn(scrape, "mistral_ratelimit_limit_requests", "upstream_key=\"" + name + "\""));
        }
        assertFalse(scrape.contains(first()), "no key in the metrics");
    }

    @Test
    void aKeyThrottledWithRetryAfterRestsAndTheNextCallsGoToTheOtherNoneFailing() throws Exception {
        double throttledBefore = Metrics.value("mistral_upstream_key_calls_total", "upstream_key=\"first\"",
                "outcome=\"throttled\"");
        Simulator.inject(Fault.status(429).retryAfter(5).key(first()).times(-1));
        long start = System.nanoTime();
        for (int i = 0; i < 12; i++) {
            chat().then().statusCode(200);
        }
        Response stream = given().contentType(ContentType.JSON).body(STREAM).post("/v1/chat/completions");
        assertEquals(200, stream.statusCode());
        List<String> events = SseEvents.data(stream.asString());
        assertEquals("[DONE]", events.get(events.size() - 1));
        given().contentType(ContentType.JSON).body("{\"input\":[\"a\"]}").post("/v1/embeddings").then().statusCode(200);
        HttpResponse<String> upload = http.send(HttpRequest.newBuilder(URI.create(transcriptions.toString()))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", MultipartForm.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(MultipartForm.form().field("model", "voxtral-mini-2507")
                        .file("file", "call.wav", MultipartForm.audio(10_000)).bytes()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, upload.statusCode(), upload.body());
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        // One call met the 429 and went at once to the other key (no 5 s wait); then the first key rested.
        assertEquals(1, Simulator.count("key1"), "the throttled key was called once");
        assertEquals(15, Simulator.count("key2"), "12 chats (one of them retried), a stream, embeddings, an upload");
        assertTrue(elapsedMs < 4_000, "no call waited for the Retry-After: " + elapsedMs + " ms");
        assertEquals(CircuitBreakerStatus.State.CLOSED, breaker.state(), "one throttled key is no outage");
        assertEquals(throttledBefore + 1, Metrics.value("mistral_upstream_key_calls_total", "upstream_key=\"first\"",
                "outcome=\"throttled\""));
        assertEquals(1, Metrics.value("mistral_upstream_key_state", "upstream_key=\"first\""), "resting");
        given().get("/health").then().statusCode(200)
                .body("services.mistral.upstreamKeys[0].name", equalTo("first"))
                .body("services.mistral.upstreamKeys[0].state", equalTo("resting"))
                .body("services.mistral.upstreamKeys[0].restingSeconds", lessThanOrEqualTo(5))
                .body("services.mistral.upstreamKeys[1].state", equalTo("active"));

        // Its Retry-After over, the first key is back in rotation (with the most headroom: it took the fewest calls).
        Simulator.reset();
        Awaitility.await().atMost(Duration.ofSeconds(7)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                given().get("/health").then().body("services.mistral.upstreamKeys[0].state", equalTo("active")));
        for (int i = 0; i < 4; i++) {
            chat().then().statusCode(200);
        }
        assertTrue(Simulator.count("key1") >= 2, "back in rotation: " + Simulator.count("key1"));
    }

    @Test
    void aStreamWhoseFirstAttemptMeetsAThrottledKeyOpensOnTheOtherAtOnce() {
        Simulator.inject(Fault.status(429).retryAfter(5).key(first()).times(-1));
        long start = System.nanoTime();
        for (int i = 0; i < 4; i++) {
            Response stream = given().contentType(ContentType.JSON).body(STREAM).post("/v1/chat/completions");
            assertEquals(200, stream.statusCode(), stream.asString());
            List<String> events = SseEvents.data(stream.asString());
            assertEquals("[DONE]", events.get(events.size() - 1));
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(1, Simulator.count("key1"), "one attempt met the 429, then the key rested");
        assertEquals(4, Simulator.count("key2"));
        assertTrue(elapsedMs < 4_000, "no stream waited for the Retry-After: " + elapsedMs + " ms");
        assertEquals(CircuitBreakerStatus.State.CLOSED, breaker.state());
        Awaitility.await().atMost(Duration.ofSeconds(7)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                given().get("/health").then().body("services.mistral.upstreamKeys[0].state", equalTo("active")));
    }

    @Test
    void aRejectedKeyIsTakenOutAndReportedHealthDegradedReadinessUp() {
        Simulator.inject(Fault.status(401).key(first()).times(-1));
        for (int i = 0; i < 6; i++) {
            chat().then().statusCode(200);
        }
        assertTrue(Simulator.count("key1") <= 1, "taken out after its first 401: " + Simulator.count("key1"));
        probe.probe().await().indefinitely();
        given().get("/health").then().statusCode(200)
                .body("status", equalTo("degraded"))
                .body("error", containsString("first"))
                .body("services.mistral.upstreamKeys[0].state", equalTo("rejected"))
                .body("services.mistral.upstreamKeys[0].rejectedStatus", equalTo(401))
                .body("services.mistral.upstreamKeys[1].state", equalTo("active"));
        Management.given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'mistral' }.data.upstreamKeys", equalTo("first: rejected, second: active"));
        assertEquals(2, Metrics.value("mistral_upstream_key_state", "upstream_key=\"first\""), "rejected");
        assertEquals(CircuitBreakerStatus.State.CLOSED, breaker.state());

        // Mistral accepts it again: the next probe puts it back.
        Simulator.reset();
        probe.probe().await().indefinitely();
        given().get("/health").then().statusCode(200).body("status", equalTo("healthy"))
                .body("services.mistral.upstreamKeys[0].state", equalTo("active"));
    }

    @Test
    void readinessGoesDownOnlyWhenMistralRejectsEveryKey() {
        Simulator.inject(Fault.status(401).endpoint("models").times(-1));
        probe.probe().await().indefinitely();
        given().get("/health").then().statusCode(503).body("status", equalTo("unhealthy"));
        Management.given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"));
    }

    @Test
    void noUpstreamKeyLeavesInARelayedError() {
        String second = Simulator.gatewayMistralKey("second");
        Simulator.inject(Fault.status(400).message("bad request for keys " + first() + " and " + second).times(-1));
        String body = chat().then().statusCode(400).extract().asString();
        assertFalse(body.contains(first()) || body.contains(second), body);
        assertTrue(body.contains("[REDACTED]"), body);
    }
}
