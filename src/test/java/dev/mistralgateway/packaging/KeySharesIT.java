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
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.mistralgateway.testing.Metrics;
import dev.mistralgateway.testing.PackagedApp;
import dev.mistralgateway.testing.RedisServer;

/**
 * The packaged gateway on a real Redis serves a busy key from its share of the fleet's limits, and a pod stopped
 * (SIGTERM, as in a rolling update) right after its busiest second leaves nothing held on Redis and nothing unbooked:
 * the next pods get the whole budget, and the fleet's spend is every answer this pod served.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeySharesIT {

    private static final String MISTRAL_KEY = "it-mistral-key-0123456789abcdef";
    private static final String REDIS_PASSWORD = "it-redis-password-3e5a7c9b1d";
    private static final String CLIENT_KEY = "it-busy-key-1a3c5e7f9b2d";
    private static final String RESERVATIONS = "mistral-gateway:reservations";

    private final PackagedApp app = new PackagedApp();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private RedisServer redis;
    private PackagedApp.Gateway gateway;

    @BeforeAll
    void start() throws Exception {
        redis = RedisServer.start(REDIS_PASSWORD);
        int simulator = app.startSimulator(MISTRAL_KEY);
        gateway = app.startGateway(MISTRAL_KEY, simulator, CLIENT_KEY, Map.of(
                "QUARKUS_HTTP_HOST", "127.0.0.1", "QUARKUS_MANAGEMENT_HOST", "127.0.0.1",
                "QUARKUS_REDIS_HOSTS", redis.url(), "QUARKUS_REDIS_PASSWORD", redis.password(),
                "GATEWAY_KEY_LIMITS_REQUESTS_PER_MINUTE", "100000", "GATEWAY_KEY_LIMITS_HOURLY_TOKENS", "100000000",
                "GATEWAY_BUDGET_HOURLY_USD", "100", "GATEWAY_STATE_TIMEOUT", "2s",
                // With the production delay (5 s) the shares retire while the pod still serves; with none, as here,
                // the stop itself must give them back: the harder case.
                "QUARKUS_SHUTDOWN_DELAY", "0s"));
        PackagedApp.waitFor(() -> Files.readString(gateway.log()).contains("Listening on"), "gateway start");
        Awaitility.await("ready").atMost(Duration.ofSeconds(30))
                .until(() -> get(gateway.management("/q/health/ready")).statusCode() == 200);
    }

    @AfterAll
    void stop() throws Exception {
        app.close();
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aBusyKeyIsServedFromItsShareAndAStoppedPodLeavesNothingHeldAndNothingUnbooked() throws Exception {
        long started = System.nanoTime();
        int calls = 0;
        while (System.nanoTime() - started < 2_000_000_000L) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(gateway.uri("/v1/chat/completions"))
                    .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + CLIENT_KEY)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"mistral-small-2506\",\"max_tokens\":8,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
            calls++;
        }
        String metrics = get(gateway.management("/q/metrics")).body();
        assertTrue(Metrics.valueIn(metrics, "mistral_state_shares_total") >= 1, "a busy key took shares");
        assertTrue(held() > 0, "its share holds part of the budget on Redis while the key is busy");
        double spent = Metrics.valueIn(metrics, "mistral_spend_usd_total", "model=\"mistral-small-2506\"");
        assertTrue(spent > 0);

        // SIGTERM right away: the share not retired yet and the last answers not booked.
        gateway.process().destroy();
        assertTrue(gateway.process().waitFor(15, TimeUnit.SECONDS), "the pod stops");

        assertEquals(0, held(), "nothing the pod held stays held on Redis after it stopped");
        String fields = redis.command("HKEYS", RESERVATIONS);
        assertTrue(fields == null || Arrays.stream(fields.split("\n")).noneMatch(field -> field.startsWith("r:")),
                fields);
        long spendOnRedis = 0;
        String minutes = redis.command("HVALS", "mistral-gateway:spend");
        for (String minute : minutes.split("\n")) {
            spendOnRedis += Long.parseLong(minute);
        }
        assertEquals(spent, spendOnRedis / 1e9, calls * 1e-9,
                "the fleet's spend is every one of the " + calls + " answers the pod served, to the nano-USD");
    }

    private long held() throws IOException {
        String usd = redis.command("HGET", RESERVATIONS, "usd");
        return usd == null ? 0 : Long.parseLong(usd);
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
