package dev.mistralgateway.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.testing.PackagedApp;

/**
 * The packaged jar, run as an operator runs it: configured only through the environment, pointed at a
 * Mistral-compatible server (the simulator, standalone), refusing to start on bad configuration.
 */
class PackagedJarIT {

    private static final String KEY = "it-mistral-key-0123456789abcdef";
    private static final String CLIENT_KEY = "it-client-key-0123456789abcdef";
    private final PackagedApp app = new PackagedApp();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void stopProcesses() throws InterruptedException {
        app.close();
    }

    @Test
    void servesChatAgainstAMistralCompatibleServerConfiguredByEnvironment() throws Exception {
        int simulatorPort = app.startSimulator(KEY);
        PackagedApp.Gateway gateway = app.startGateway(KEY, simulatorPort, CLIENT_KEY, Map.of());
        int gatewayPort = gateway.port();
        Path gatewayLog = gateway.log();
        PackagedApp.waitFor(() -> Files.readString(gatewayLog).contains("Listening on"), "gateway start");

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/api/chat"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + CLIENT_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"content\":\"Echo: ping\""), response.body());
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/api/chat"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode(), "prod requires a client key");
        String log = Files.readString(gatewayLog);
        assertFalse(log.contains(KEY) || log.contains(CLIENT_KEY), "no key is ever logged");
    }

    @Test
    void wrongKeyIsReportedOnceAtStartupAndKeepsThePodUnready() throws Exception {
        int simulatorPort = app.startSimulator(KEY);
        String wrongKey = "it-wrong-key-fedcba9876543210";
        PackagedApp.Gateway gateway = app.startGateway(wrongKey, simulatorPort, CLIENT_KEY, Map.of());
        Path gatewayLog = gateway.log();
        PackagedApp.waitFor(() -> Files.readString(gatewayLog).contains("Mistral rejected the gateway's API key (HTTP 401)"),
                "the credential check");
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(gateway.management("/q/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, ready.statusCode(), ready.body());
        HttpResponse<String> live = http.send(HttpRequest.newBuilder(gateway.management("/q/health/live")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, live.statusCode(), live.body());
        String log = Files.readString(gatewayLog);
        assertEquals(1, log.split("Mistral rejected the gateway's API key", -1).length - 1, "logged once: " + log);
        assertFalse(log.contains(wrongKey), "the key is never logged");
    }

    /**
     * An attacker opens idle connections. Under the cap, clients are served; far over it (8 times), the gateway holds
     * no more than the cap, its file descriptors stay bounded, and liveness answers on the management port; once the
     * idle timeout has passed, the gateway has closed the idle sockets and serves clients again.
     */
    @Test
    void idleConnectionsAreCappedAndReapedWhileLivenessAnswers() throws Exception {
        int cap = 50;
        PackagedApp.Gateway gateway = app.startGateway(KEY, app.startSimulator(KEY), CLIENT_KEY, Map.of(
                "QUARKUS_HTTP_LIMITS_MAX_CONNECTIONS", String.valueOf(cap), "QUARKUS_HTTP_IDLE_TIMEOUT", "3s"));
        PackagedApp.waitFor(() -> Files.readString(gateway.log()).contains("Listening on"), "gateway start");
        assertEquals(200, chat(gateway).statusCode());
        long baseline = openFiles(gateway.process());
        List<Socket> attacker = new ArrayList<>();
        try {
            for (int i = 0; i < cap - 10; i++) {
                attacker.add(new Socket("127.0.0.1", gateway.port()));
            }
            assertEquals(200, chat(gateway).statusCode(), "served while an attacker holds idle connections under the cap");
            for (int i = 0; i < 8 * cap; i++) {
                attacker.add(new Socket("127.0.0.1", gateway.port()));
            }
            TimeUnit.MILLISECONDS.sleep(500);
            long held = openFiles(gateway.process()) - baseline;
            assertTrue(held <= cap + 10, "the gateway holds " + held + " descriptors for " + attacker.size()
                    + " idle connections, cap " + cap);
            assertEquals(200, http.send(HttpRequest.newBuilder(gateway.management("/q/health/live")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), "liveness answers while the API port is full");
            PackagedApp.waitFor(() -> openFiles(gateway.process()) - baseline <= 5, "the idle connections to be closed");
            assertEquals(200, chat(gateway).statusCode(), "served again once idle connections were reaped");
            System.out.printf("[connections] %d idle sockets opened, at most %d held (cap %d), all closed after the"
                    + " idle timeout%n", attacker.size(), held, cap);
        } finally {
            for (Socket socket : attacker) {
                socket.close();
            }
        }
    }

    private HttpResponse<String> chat(PackagedApp.Gateway gateway) throws Exception {
        return http.send(HttpRequest.newBuilder(gateway.uri("/api/chat")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + CLIENT_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The process' open file descriptors (sockets included), as the kernel counts them. */
    private static long openFiles(Process process) throws IOException {
        try (var files = Files.list(Path.of("/proc", String.valueOf(process.pid()), "fd"))) {
            return files.count();
        }
    }

    @Test
    void refusesToStartWhenStreamsWouldOutliveTheShutdownTimeout() throws Exception {
        String output = runToExit(Map.of("MISTRAL_API_KEY", KEY, "GATEWAY_API_KEYS", "ops=" + CLIENT_KEY,
                "GATEWAY_SHUTDOWN_STREAM_DRAIN", "30s", "QUARKUS_HTTP_PORT", String.valueOf(PackagedApp.freePort())));
        assertTrue(output.contains("gateway.shutdown.stream-drain (30 s) must be below quarkus.shutdown.timeout (30 s)"),
                output);
    }

    @Test
    void refusesToStartOnOutOfRangeConfigNamingThePropertyNotTheKey() throws Exception {
        String output = runToExit(Map.of("MISTRAL_API_KEY", KEY, "MISTRAL_MAX_TOKENS", "0",
                "GATEWAY_API_KEYS", "ops=" + CLIENT_KEY, "QUARKUS_HTTP_PORT", String.valueOf(PackagedApp.freePort())));
        assertTrue(output.contains("mistral.max-tokens must be between 1 and"), output);
        assertFalse(output.contains(KEY), "the key is never printed");
    }

    @Test
    void refusesToStartInProductionWithoutAKey() throws Exception {
        String output = runToExit(Map.of("GATEWAY_API_KEYS", "ops=" + CLIENT_KEY, "QUARKUS_HTTP_PORT", String.valueOf(PackagedApp.freePort())));
        assertTrue(output.contains("mistral.api-key is required"), output);
    }

    @Test
    void refusesToStartInProductionWithoutClientKeysUnlessAuthIsOffOnPurpose() throws Exception {
        String output = runToExit(Map.of("MISTRAL_API_KEY", KEY, "QUARKUS_HTTP_PORT", String.valueOf(PackagedApp.freePort())));
        assertTrue(output.contains("gateway.api-keys is empty"), output);
        assertFalse(output.contains(KEY));
    }

    private String runToExit(Map<String, String> env) throws Exception {
        Path log = app.start(List.of(PackagedApp.java(), "-jar", PackagedApp.APP.resolve("quarkus-run.jar").toString()), env);
        Process process = app.last();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the gateway exits instead of running misconfigured");
        assertNotEquals(0, process.exitValue());
        return Files.readString(log);
    }
}
