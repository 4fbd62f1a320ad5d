package dev.mistralgateway.resilience;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.mistralgateway.simulator.Fault;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** 200 concurrent requests while Mistral flips between failing and healthy: every one gets an answer in time. */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
class FlappingUpstreamTest {

    @TestHTTPResource("/api/chat")
    URL chat;

    @Inject
    CircuitBreakerStatus breaker;

    @Test
    void everyRequestGetsAnAnswerAndTheBreakerEndsClosed() throws Exception {
        Simulator.reset();
        AtomicBoolean flipping = new AtomicBoolean(true);
        Thread flipper = new Thread(() -> {
            boolean failing = false;
            while (flipping.get()) {
                if (failing) {
                    given().delete(Simulator.url() + "/_simulator/faults");
                } else {
                    Simulator.inject(Fault.status(503).times(-1).endpoint("chat"));
                }
                failing = !failing;
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        flipper.start();

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(chat.toString()))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}"))
                .build();
        long start = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            responses.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (CompletableFuture<HttpResponse<String>> response : responses) {
            HttpResponse<String> answer = response.get(15, TimeUnit.SECONDS);
            statuses.merge(answer.statusCode(), 1, Integer::sum);
            assertTrue(answer.body().startsWith("{"), "a JSON answer: " + answer.body());
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        flipping.set(false);
        flipper.join();
        System.out.printf("[chaos] 200 concurrent requests under a flapping upstream: %s in %d ms%n", statuses, elapsedMs);
        assertEquals(200, statuses.values().stream().mapToInt(Integer::intValue).sum());
        assertTrue(Set.of(200, 502, 503).containsAll(statuses.keySet()), "only answers, errors or fast-fails: " + statuses);
        assertTrue(elapsedMs < 10_000, "all answered within the request budget, took " + elapsedMs + " ms");

        // Mistral recovers: the breaker lets a trial through after its delay and closes.
        given().delete(Simulator.url() + "/_simulator/faults").then().statusCode(204);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            CircuitBreakerTest.chat().then().statusCode(200);
            assertEquals(CircuitBreakerStatus.State.CLOSED, breaker.state());
        });
    }
}
