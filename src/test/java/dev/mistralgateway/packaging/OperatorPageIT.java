package dev.mistralgateway.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mistralgateway.testing.NodeProject;
import dev.mistralgateway.testing.PackagedApp;

/**
 * The operator page in a real browser: headless Chromium (Debian's {@code chromium}, driven by {@code playwright-core}
 * pinned in {@code src/test/ui/package-lock.json}) against the packaged jar on the simulator, with two client keys.
 * The page is on the management port and absent from the API port; it shows both keys' spend after their traffic and
 * the breaker opening after five injected 500s without a reload, never a key or a prompt, works without JavaScript and
 * at a phone's width, and says when it lost the gateway ({@code src/test/ui/operator-page.mjs}). It writes the
 * screenshot that {@code src/docs/operations.md} shows. Without Chromium, Node or npm it is skipped, except in CI.
 */
class OperatorPageIT {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String MISTRAL_KEY = "it-mistral-key-page-0123456789";
    private static final Map<String, String> CLIENT_KEYS = Map.of(
            "team-alpha", "it-client-key-alpha-0123456789",
            "team-beta", "it-client-key-beta-0123456789");
    static final Path SCREENSHOT = Path.of("target", "operator-page.png").toAbsolutePath();

    private final PackagedApp app = new PackagedApp();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() throws InterruptedException {
        app.close();
    }

    @Test
    void theOperatorPageWorksInABrowser() throws Exception {
        NodeProject.require("the operator page's browser test (Chromium, Node 20, npm)",
                List.of(CHROMIUM, "node", "npm"));
        long started = System.nanoTime();
        NodeProject browser = new NodeProject("ui").install();
        int simulatorPort = app.startSimulator(MISTRAL_KEY);
        StringBuilder keys = new StringBuilder();
        CLIENT_KEYS.forEach((name, key) -> keys.append(keys.isEmpty() ? "" : ",").append(name).append('=').append(key));
        PackagedApp.Gateway gateway = app.startGateway(MISTRAL_KEY, simulatorPort, "unused-client-key-0123456789",
                Map.of("GATEWAY_API_KEYS", keys.toString()));
        PackagedApp.waitFor(() -> Files.readString(gateway.log()).contains("Listening on"), "gateway start");

        String key = CLIENT_KEYS.values().iterator().next();
        assertEquals(401, get(gateway.uri("/ui"), null), "the API port without a key");
        assertEquals(404, get(gateway.uri("/ui"), key), "the API port with a key: no such route");
        assertEquals(404, get(gateway.uri("/ui/"), key));

        ObjectMapper json = new ObjectMapper();
        NodeProject.Result run = browser.run(List.of("node", "operator-page.mjs"), Map.of(
                "PAGE_URL", gateway.management("/ui").toString(),
                "API_URL", "http://127.0.0.1:" + gateway.port(),
                "SIMULATOR_URL", "http://127.0.0.1:" + simulatorPort,
                "CLIENT_KEYS", json.writeValueAsString(CLIENT_KEYS),
                "SECRETS", json.writeValueAsString(List.of(MISTRAL_KEY)),
                "SCREENSHOT", SCREENSHOT.toString(),
                "CHROMIUM", CHROMIUM), 180);
        List<String> failed = new ArrayList<>();
        int checks = 0;
        for (String line : run.output().lines().toList()) {
            if (line.startsWith("{\"check\"")) {
                JsonNode check = json.readTree(line);
                checks++;
                System.out.printf("[browser] %s %s: %s%n", check.get("ok").asBoolean() ? "ok  " : "FAIL",
                        check.get("check").asText(), check.get("detail").asText());
                if (!check.get("ok").asBoolean()) {
                    failed.add(check.get("check").asText() + ": " + check.get("detail").asText());
                }
            }
        }
        assertEquals(List.of(), failed, run.output());
        assertEquals(8, checks, run.output());
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(Files.size(SCREENSHOT) > 10_000, "a screenshot of the page");
        System.out.printf("[browser] the browser test took %d s%n",
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }

    private int get(URI uri, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri);
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
