package dev.mistralgateway.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.mistral.MistralEndpoint;
import io.vertx.core.Vertx;

/** Dev mode's simulator survives a live reload: same URL, same key, and the faults injected before it. */
class DevModeSimulatorTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private Vertx vertx = Vertx.vertx();

    @AfterEach
    void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
        System.clearProperty(DevModeSimulator.URL_PROPERTY);
        System.clearProperty(DevModeSimulator.KEY_PROPERTY);
    }

    @Test
    void aLiveReloadFindsTheSameSimulatorWithItsFaults() throws Exception {
        MistralEndpoint first = DevModeSimulator.reuseOrStart(vertx, List.of("mistral-small-2506"));
        String key = System.getProperty(DevModeSimulator.KEY_PROPERTY);
        http.send(HttpRequest.newBuilder(URI.create(first.baseUrl() + "/_simulator/faults"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"status\",\"status\":503,\"times\":3}")).build(),
                HttpResponse.BodyHandlers.ofString());

        MistralEndpoint afterReload = DevModeSimulator.reuseOrStart(vertx, List.of("mistral-small-2506"));

        assertEquals(first.baseUrl(), afterReload.baseUrl());
        assertEquals(key, System.getProperty(DevModeSimulator.KEY_PROPERTY), "the same simulator, with the same key");
        String stats = http.send(HttpRequest.newBuilder(URI.create(afterReload.baseUrl() + "/_simulator/stats")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertEquals(true, stats.contains("\"pendingFaults\":1"), stats);
    }

    @Test
    void aSimulatorThatDiedWithItsVertxIsStartedAgainOnTheSamePort() {
        MistralEndpoint first = DevModeSimulator.reuseOrStart(vertx, List.of("mistral-small-2506"));
        String key = System.getProperty(DevModeSimulator.KEY_PROPERTY);
        vertx.close().toCompletionStage().toCompletableFuture().join();
        vertx = Vertx.vertx();

        MistralEndpoint restarted = DevModeSimulator.reuseOrStart(vertx, List.of("mistral-small-2506"));

        assertEquals(first.baseUrl(), restarted.baseUrl(), "a saved URL stays valid");
        assertNotEquals(key, System.getProperty(DevModeSimulator.KEY_PROPERTY), "a new simulator, with a new key");
    }
}
