package dev.mistralgateway.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.mistralgateway.testing.Metrics;
import dev.mistralgateway.testing.PackagedApp;
import dev.mistralgateway.testing.RedisServer;

/**
 * Two packaged gateways on one real Redis, as two pods: the key "lab" may spend $0.0001 a day (set as the
 * environment variable a Secret gives the pods), "ops" has no budget of its own. Streams spend it through A; B then
 * refuses the key as A does, before Mistral is called, while "ops" goes on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyBudgetIT {

    private static final String MISTRAL_KEY = "it-mistral-key-0123456789abcdef";
    private static final String REDIS_PASSWORD = "it-redis-password-5b8e1c2d4f";
    private static final String LAB_KEY = "it-lab-key-6c1e9a3b5d7f";
    private static final String OPS_KEY = "it-ops-key-8d2f4a6c0e1b";

    private final PackagedApp app = new PackagedApp();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private RedisServer redis;
    private PackagedApp.Gateway a;
    private PackagedApp.Gateway b;

    @BeforeAll
    void startTwoPods() throws Exception {
        redis = RedisServer.start(REDIS_PASSWORD);
        int simulator = app.startSimulator(MISTRAL_KEY);
        a = start(simulator);
        b = start(simulator);
        for (PackagedApp.Gateway gateway : new PackagedApp.Gateway[] { a, b }) {
            PackagedApp.waitFor(() -> Files.readString(gateway.log()).contains("Listening on"), "gateway start");
            Awaitility.await("ready").atMost(Duration.ofSeconds(30))
                    .until(() -> get(gateway.management("/q/health/ready")).statusCode() == 200);
        }
    }

    private PackagedApp.Gateway start(int simulator) throws IOException {
        return app.startGateway(MISTRAL_KEY, simulator, OPS_KEY, Map.of(
                "GATEWAY_API_KEYS", "ops=" + OPS_KEY + ",lab=" + LAB_KEY,
                "GATEWAY_KEYS__LAB__BUDGET_DAILY_USD", "0.0001",
                "QUARKUS_HTTP_HOST", "127.0.0.1", "QUARKUS_MANAGEMENT_HOST", "127.0.0.1",
                "QUARKUS_REDIS_HOSTS", redis.url(), "QUARKUS_REDIS_PASSWORD", redis.password(),
                "GATEWAY_STATE_TIMEOUT", "2s"));
    }

    @AfterAll
    void stop() throws Exception {
        app.close();
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aKeysDailyBudgetSpentThroughOnePodIsRefusedByBoth() throws Exception {
        // A streamed "ping" to mistral-large-2411 costs $0.000034: the third brings "lab" to $0.000102.
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> stream = chat(a, LAB_KEY, true);
            assertEquals(200, stream.statusCode(), stream.body());
            assertTrue(stream.body().contains("data: [DONE]"), stream.body());
        }
        for (PackagedApp.Gateway gateway : new PackagedApp.Gateway[] { b, a }) {
            Awaitility.await("the fleet's spend reaches " + gateway.port()).atMost(Duration.ofSeconds(5))
                    .until(() -> chat(gateway, LAB_KEY, false).statusCode() == 429);
            for (boolean stream : new boolean[] { false, true }) {
                HttpResponse<String> refused = chat(gateway, LAB_KEY, stream);
                assertEquals(429, refused.statusCode(), refused.body());
                assertTrue(refused.body().contains("key_budget_exhausted"), refused.body());
                assertTrue(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow()) > 3600);
            }
            assertEquals(200, chat(gateway, OPS_KEY, false).statusCode(), "ops has no budget of its own");
        }
        Awaitility.await("B's gauge shows the fleet's spend").atMost(Duration.ofSeconds(10)).until(() -> Metrics.valueIn(
                get(b.management("/q/metrics")).body(), "mistral_key_budget_spend_usd", "key=\"lab\"",
                "window=\"day\"") >= 0.000102 - 1e-12);
        assertEquals(3, Metrics.valueIn(get(a.management("/q/metrics")).body(), "mistral_requests_total",
                "key=\"lab\"", "status=\"200\""), 0, "three calls reached Mistral, all through A");
    }

    private HttpResponse<String> chat(PackagedApp.Gateway gateway, String key, boolean stream) throws IOException,
            InterruptedException {
        return http.send(HttpRequest.newBuilder(gateway.uri("/api/chat")).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"mistral-large-2411\",\"max_tokens\":4,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}],\"stream\":" + stream + "}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
