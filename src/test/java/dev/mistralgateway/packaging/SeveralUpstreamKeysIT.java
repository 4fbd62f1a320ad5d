package dev.mistralgateway.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.testing.PackagedApp;
import io.restassured.path.json.JsonPath;

/**
 * The packaged jar with two Mistral keys from {@code MISTRAL_API_KEYS}, as a Secret gives them, against the standalone
 * simulator accepting both: one key throttled with {@code Retry-After: 5}, then one rejected.
 */
class SeveralUpstreamKeysIT {

    private static final String FIRST = "it-upstream-first-0123456789abcdef";
    private static final String SECOND = "it-upstream-second-0123456789abcdef";
    private static final String CLIENT_KEY = "it-client-key-0123456789abcdef";
    private final PackagedApp app = new PackagedApp();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void stopProcesses() throws InterruptedException {
        app.close();
    }

    @Test
    void aThrottledKeyRestsWhileTheOtherServesAndARejectedOneIsTakenOutWithThePodReady() throws Exception {
        int simulatorPort = app.startSimulator(FIRST + "," + SECOND);
        String simulator = "http://127.0.0.1:" + simulatorPort;
        PackagedApp.Gateway gateway = app.startGateway(FIRST, simulatorPort, CLIENT_KEY, Map.of(
                "MISTRAL_API_KEYS", "first=" + FIRST + ",second=" + SECOND, "MISTRAL_HEALTH_INTERVAL", "1s"));
        PackagedApp.waitFor(() -> Files.readString(gateway.log()).contains("Listening on"), "gateway start");
        PackagedApp.waitFor(() -> get(gateway.management("/q/health/ready")).statusCode() == 200, "ready");

        post(URI.create(simulator + "/_simulator/faults"), "{\"type\":\"status\",\"status\":429,\"retryAfterSeconds\":5,"
                + "\"times\":-1,\"endpoint\":\"chat\",\"key\":\"" + FIRST + "\"}");
        JsonPath before = stats(simulator);
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            long start = System.nanoTime();
            HttpResponse<String> response = chat(gateway);
            latencies.add((System.nanoTime() - start) / 1_000_000);
            assertEquals(200, response.statusCode(), response.body());
        }
        JsonPath after = stats(simulator);
        // Chats only: the 1 s health probe lists the models with each key while the chats run.
        long firstChats = count(after, "chat_key1") - count(before, "chat_key1");
        long secondChats = count(after, "chat_key2") - count(before, "chat_key2");
        Collections.sort(latencies);
        System.out.printf("[upstream keys] 40 chats with key 'first' answering 429 (Retry-After 5): 40 answered 200;"
                + " calls with first %d, with second %d; latency p50 %d ms, max %d ms%n", firstChats, secondChats,
                latencies.get(20), latencies.get(39));
        assertEquals(1, firstChats, "the throttled key rests after its one 429");
        assertTrue(latencies.get(39) < 2_000, "no call waited out the Retry-After: " + latencies);
        String metrics = get(gateway.management("/q/metrics")).body();
        assertTrue(metrics.contains("mistral_upstream_key_calls_total{outcome=\"throttled\",upstream_key=\"first\"} 1.0"),
                metrics.lines().filter(l -> l.startsWith("mistral_upstream_key")).toList().toString());
        assertTrue(metrics.contains("mistral_circuit_breaker_state 0.0"), "the breaker stays closed");

        post(URI.create(simulator + "/_simulator/reset"), "");
        post(URI.create(simulator + "/_simulator/faults"), "{\"type\":\"status\",\"status\":401,\"times\":-1,\"key\":\""
                + SECOND + "\"}");
        PackagedApp.waitFor(() -> get(gateway.uri("/health")).body().contains("\"status\":\"degraded\""),
                "health degraded by the probe");
        HttpResponse<String> health = get(gateway.uri("/health"));
        assertEquals(200, health.statusCode());
        JsonPath report = new JsonPath(health.body());
        assertEquals("rejected", report.getString("services.mistral.upstreamKeys.find { it.name == 'second' }.state"));
        assertTrue(report.getString("error").contains("second"), health.body());
        assertEquals(200, get(gateway.management("/q/health/ready")).statusCode(), "ready: the first key serves");
        for (int i = 0; i < 5; i++) {
            assertEquals(200, chat(gateway).statusCode());
        }
        String log = Files.readString(gateway.log());
        assertTrue(log.contains("Mistral rejected upstream key 'second' (HTTP 401)"), log);
        assertFalse(log.contains(FIRST) || log.contains(SECOND) || log.contains(CLIENT_KEY), "no key is ever logged");
    }

    private HttpResponse<String> chat(PackagedApp.Gateway gateway) throws Exception {
        return http.send(HttpRequest.newBuilder(gateway.uri("/v1/chat/completions"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + CLIENT_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void post(URI uri, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(response.statusCode() / 100 == 2, response.statusCode() + " " + response.body());
    }

    private JsonPath stats(String simulator) throws Exception {
        return new JsonPath(get(URI.create(simulator + "/_simulator/stats")).body());
    }

    private static long count(JsonPath stats, String counter) {
        Long value = stats.getObject("counters." + counter, Long.class);
        return value == null ? 0 : value;
    }
}
