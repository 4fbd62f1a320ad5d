package dev.mistralgateway.chat;

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
import java.util.concurrent.CompletableFuture;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import dev.mistralgateway.testing.SseEvents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Streams reuse pooled keep-alive connections to Mistral, per event loop, as plain calls do: a connection (and with
 * TLS a handshake) per stream would add round trips to every stream's first token.
 */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PooledStreamsTest {

    private static final String STREAM = "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"one two three four\"}]}";

    @TestHTTPResource("/v1/chat/completions")
    URL completions;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void resetSimulator() {
        Simulator.reset();
    }

    @Test
    @Order(1)
    void aThousandSequentialStreamsShareOneConnectionPerEventLoop() {
        for (int i = 0; i < 1_000; i++) {
            assertWhole(send().join());
        }
        long connections = Simulator.count("connections");
        System.out.printf("1,000 sequential streams: %d new upstream connection(s)%n", connections);
        assertTrue(connections <= eventLoops(), connections + " new upstream connections");
        assertEquals(1_000, Simulator.count("streams_completed"));
    }

    @Test
    @Order(2)
    void twoHundredConcurrentStreamsTwiceOpenNoMoreConnectionsThanStreamsAtOnce() {
        for (int wave = 0; wave < 2; wave++) {
            List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                streams.add(send());
            }
            // Each ends with [DONE]: no "Connection was closed" from a pooled connection closing under a new stream.
            streams.forEach(stream -> assertWhole(stream.join()));
        }
        long connections = Simulator.count("connections");
        System.out.printf("2 x 200 concurrent streams: %d new upstream connections%n", connections);
        assertTrue(connections <= 200, connections + " upstream connections for at most 200 streams at once");
        assertEquals(400, Simulator.count("streams_completed"));
    }

    private CompletableFuture<HttpResponse<String>> send() {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(completions.toString()))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(STREAM)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertWhole(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        List<String> events = SseEvents.data(response.body());
        assertEquals("[DONE]", events.get(events.size() - 1), response.body());
    }

    /** Quarkus' default: two event loops per core. */
    private static int eventLoops() {
        return ConfigProvider.getConfig().getOptionalValue("quarkus.vertx.event-loops-pool-size", Integer.class)
                .orElse(2 * Runtime.getRuntime().availableProcessors());
    }
}
