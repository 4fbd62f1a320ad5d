package dev.mistralgateway.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import dev.mistralgateway.testing.Metrics;
import dev.mistralgateway.testing.PackagedApp;
import dev.mistralgateway.testing.RedisServer;
import dev.mistralgateway.testing.SseEvents;
import io.restassured.path.json.JsonPath;

/**
 * Three packaged gateways on one real Redis, as three pods of one Deployment: A and B fall back to per-pod limits
 * when Redis fails ({@code on-failure=allow}), C refuses ({@code deny}). Every key may make 5 requests a minute; the
 * fleet may spend $0.00004 an hour (one streamed "ping" to mistral-large costs $0.000034, one to mistral-small
 * $0.0000017). Requests ask for at most 4 tokens, so that each call reserves $0.0000021 on mistral-small while it is
 * in flight (a call with the default max_tokens reserves more than this budget, and would run one at a time). The
 * tests run in order on the same fleet, as its history.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedStateIT {

    private static final String MISTRAL_KEY = "it-mistral-key-0123456789abcdef";
    private static final String REDIS_PASSWORD = "it-redis-password-7d1e5b93c2";
    private static final Map<String, String> CLIENT_KEYS = Map.of("team-a", "it-team-a-key-5f1c0d9e8b7a",
            "team-b", "it-team-b-key-2a4c6e8f0b1d", "team-c", "it-team-c-key-9e7c5a3f1d0b", "ops", "it-ops-key-4b6d8f0a2c4e",
            "team-d", "it-team-d-key-6c8e0a2b4d6f");
    private static final int PER_MINUTE = 5;

    private final PackagedApp app = new PackagedApp();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private RedisServer redis;
    private final List<Path> logs = new ArrayList<>();
    /** API port to management port (metrics and probes), per gateway. */
    private final Map<Integer, Integer> management = new HashMap<>();
    private int a;
    private int b;
    private int c;

    @BeforeAll
    void startFleet() throws Exception {
        redis = RedisServer.start(REDIS_PASSWORD);
        int simulator = app.startSimulator(MISTRAL_KEY);
        a = startGateway(simulator, "allow");
        b = startGateway(simulator, "allow");
        c = startGateway(simulator, "deny");
        for (Path log : logs) {
            PackagedApp.waitFor(() -> Files.readString(log).contains("Listening on"), "gateway start");
            assertTrue(Files.readString(log).contains("Limits and budget are shared through Redis"));
        }
        for (int gateway : new int[] { a, b, c }) {
            Awaitility.await("ready").atMost(Duration.ofSeconds(30))
                    .until(() -> get(management.get(gateway), "/q/health/ready").statusCode() == 200);
        }
    }

    @AfterAll
    void stopFleet() throws Exception {
        app.close();
        if (redis != null) {
            redis.close();
        }
    }

    private int startGateway(int simulator, String onFailure) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("GATEWAY_API_KEYS", String.join(",", CLIENT_KEYS.entrySet().stream()
                .map(entry -> entry.getKey() + "=" + entry.getValue()).toList()));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        env.put("QUARKUS_REDIS_HOSTS", redis.url());
        env.put("QUARKUS_REDIS_PASSWORD", redis.password());
        env.put("GATEWAY_KEY_LIMITS_REQUESTS_PER_MINUTE", String.valueOf(PER_MINUTE));
        env.put("GATEWAY_BUDGET_HOURLY_USD", "0.00004");
        env.put("GATEWAY_STATE_ON_FAILURE", onFailure);
        env.put("GATEWAY_STATE_RETRY_INTERVAL", "1s");
        // Three JVMs warming up on a shared machine: a 100 ms stall would switch to per-pod limits and blur the counts.
        env.put("GATEWAY_STATE_TIMEOUT", "2s");
        PackagedApp.Gateway gateway = app.startGateway(MISTRAL_KEY, simulator, CLIENT_KEYS.get("ops"), env);
        management.put(gateway.port(), gateway.managementPort());
        logs.add(gateway.log());
        return gateway.port();
    }

    @Test
    @Order(0)
    void aDeterministicRequestIsServedOnceByMistralThroughEitherGateway() throws Exception {
        // The simulator gives every answer a new id: an equal id is the same answer, served from the cache.
        HttpResponse<String> first = cached(a, "0", false);
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("miss", first.headers().firstValue("X-Gateway-Cache").orElseThrow());
        String id = JsonPath.from(first.body()).getString("id");
        HttpResponse<String> second = cached(b, "0", false);
        assertEquals("hit", second.headers().firstValue("X-Gateway-Cache").orElseThrow(), "B serves what A cached");
        assertEquals(first.body(), second.body());
        HttpResponse<String> stream = cached(b, "0", true);
        assertEquals("hit", stream.headers().firstValue("X-Gateway-Cache").orElseThrow());
        List<String> events = SseEvents.data(stream.body());
        assertEquals("[DONE]", events.get(events.size() - 1));
        assertEquals(id, JsonPath.from(events.get(0)).getString("id"));
        assertTrue(JsonPath.from(events.get(events.size() - 2)).getInt("usage.total_tokens") > 0, stream.body());
        HttpResponse<String> creative = cached(a, "0.7", false);
        HttpResponse<String> again = cached(b, "0.7", false);
        assertEquals("skip", again.headers().firstValue("X-Gateway-Cache").orElseThrow());
        assertTrue(!JsonPath.from(creative.body()).getString("id").equals(JsonPath.from(again.body()).getString("id")),
                "a request that is not deterministic is never served from the cache");
        assertTrue(metric(b, "mistral_cache_hits_total") >= 2, "B counts its two hits");
    }

    /** A chat request of team-d that asks for the cache, at {@code temperature}. */
    private HttpResponse<String> cached(int port, String temperature, boolean stream)
            throws IOException, InterruptedException {
        String body = "{\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}],\"temperature\":" + temperature
                + (stream ? ",\"stream\":true" : "") + "}";
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/chat"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + CLIENT_KEYS.get("team-d"))
                .header("X-Gateway-Cache", "use")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(1)
    void perKeyLimitAdmitsExactlyNRequestsAMinuteAcrossBothInstances() {
        Map<Integer, Integer> statuses = burst("team-a", 12);
        assertEquals(Map.of(200, PER_MINUTE, 429, 12 - PER_MINUTE), statuses, "12 concurrent requests, half to each");
        HttpResponse<String> refused = chat(a, "team-a", "mistral-small-2506", false);
        assertEquals(429, refused.statusCode());
        assertTrue(refused.body().contains("key_rate_limited"), refused.body());
        assertTrue(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow()) >= 1);
    }

    @Test
    @Order(2)
    void redisOutageIsAnsweredPerOnFailureAndSharedEnforcementResumesAfterRestart() throws Exception {
        double errorsBefore = metric(a, "mistral_state_store_errors_total");
        redis.kill();

        assertEquals(200, chat(a, "team-c", "mistral-small-2506", false).statusCode(), "allow: per-pod limits");
        HttpResponse<String> uncached = cached(b, "0", false);
        assertEquals(200, uncached.statusCode(), "Redis down: the cache never refuses; " + uncached.body());
        assertEquals(200, chat(b, "team-c", "mistral-small-2506", false).statusCode(), "allow: per-pod limits");
        HttpResponse<String> denied = chat(c, "team-c", "mistral-small-2506", false);
        assertEquals(503, denied.statusCode(), denied.body());
        assertTrue(denied.body().contains("state_store_unavailable"), denied.body());
        assertTrue(denied.headers().firstValue("Retry-After").isPresent());
        assertTrue(metric(a, "mistral_state_store_errors_total") > errorsBefore);
        for (int gateway : new int[] { a, b, c }) {
            Awaitility.await("degraded health").atMost(Duration.ofSeconds(10)).until(() -> get(gateway, "/health").body()
                    .contains("Shared state store (Redis) failed"));
            HttpResponse<String> health = get(gateway, "/health");
            assertEquals(200, health.statusCode(), health.body());
            assertTrue(health.body().contains("\"status\":\"degraded\""), health.body());
            assertEquals(200, get(management.get(gateway), "/q/health/ready").statusCode(),
                    "readiness stays UP: not a pod fault");
        }

        redis.restart();
        for (int gateway : new int[] { a, b, c }) {
            Awaitility.await("recovery without a restart").atMost(Duration.ofSeconds(30))
                    .until(() -> !get(gateway, "/health").body().contains("Shared state store"));
        }
        assertEquals(Map.of(200, PER_MINUTE, 429, 12 - PER_MINUTE), burst("team-b", 12),
                "shared again: the fleet admits 5, where two per-pod limits would admit 10");
        assertEquals(200, chat(c, "team-c", "mistral-small-2506", false).statusCode());
    }

    @Test
    @Order(3)
    void budgetSpentByAStreamThroughAMakesBRefuseWith429AndRetryAfter() throws Exception {
        assertEquals(200, chat(b, "ops", "mistral-small-2506", false).statusCode(), "the fleet is under its budget");
        HttpResponse<String> stream = chat(a, "ops", "mistral-large-2411", true);
        assertEquals(200, stream.statusCode(), stream.body());
        assertTrue(stream.body().contains("data: [DONE]"), stream.body());

        Awaitility.await("B sees A's spend").atMost(Duration.ofSeconds(5))
                .until(() -> chat(b, "ops", "mistral-small-2506", false).statusCode() == 429);
        HttpResponse<String> refused = chat(b, "ops", "mistral-small-2506", false);
        assertTrue(refused.body().contains("budget_exhausted"), refused.body());
        assertTrue(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow()) >= 1);
        assertTrue(metric(b, "mistral_budget_spend_usd") >= 0.00004, "B's gauge shows the fleet's spend");
    }

    @Test
    @Order(4)
    void fleetSpendIsEveryPodsSpendNothingLostOrDoubledAcrossTheOutage() {
        Awaitility.await("the fleet's spend").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            double pods = metric(a, "mistral_spend_usd_total") + metric(b, "mistral_spend_usd_total")
                    + metric(c, "mistral_spend_usd_total");
            assertTrue(pods > 0.00004);
            assertEquals(pods, metric(a, "mistral_budget_spend_usd"), 1e-9);
            assertEquals(pods, metric(c, "mistral_budget_spend_usd"), 1e-9);
            // Every call settled its reservation on Redis, across the outage and the bursts (it once kept one).
            assertEquals(0, metric(a, "mistral_budget_reserved_usd"), 1e-12);
            assertEquals(0, metric(b, "mistral_budget_reserved_usd"), 1e-12);
        });
    }

    @Test
    @Order(5)
    void neitherTheRedisPasswordNorAKeyIsLogged() throws Exception {
        for (Path log : logs) {
            String text = Files.readString(log);
            assertFalse(text.contains(REDIS_PASSWORD), "the Redis password is never logged");
            CLIENT_KEYS.values().forEach(key -> assertFalse(text.contains(key)));
            assertFalse(text.contains(MISTRAL_KEY));
        }
    }

    /** {@code count} concurrent chat requests with one key, alternating between A and B: how many got which status. */
    private Map<Integer, Integer> burst(String key, int count) {
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sent.add(http.sendAsync(chatRequest(i % 2 == 0 ? a : b, key, "mistral-small-2506", false),
                    HttpResponse.BodyHandlers.ofString()));
        }
        Map<Integer, Integer> statuses = new HashMap<>();
        sent.forEach(response -> statuses.merge(response.join().statusCode(), 1, Integer::sum));
        return statuses;
    }

    private HttpResponse<String> chat(int port, String key, String model, boolean stream) {
        try {
            return http.send(chatRequest(port, key, model, stream), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest chatRequest(int port, String key, String model, boolean stream) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/chat"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + CLIENT_KEYS.get(key))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model
                        + "\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}],\"stream\":"
                        + stream + "}"))
                .build();
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private double metric(int port, String name) throws IOException, InterruptedException {
        return Metrics.valueIn(get(management.get(port), "/q/metrics").body(), name);
    }
}
