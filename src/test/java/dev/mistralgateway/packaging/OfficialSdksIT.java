package dev.mistralgateway.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mistralgateway.testing.NodeProject;
import dev.mistralgateway.testing.PackagedApp;

/**
 * The official SDKs, unchanged, against the packaged jar: Mistral's TypeScript SDK ({@code @mistralai/mistralai}) and
 * OpenAI's ({@code openai}), at the versions pinned in {@code src/test/sdk/package-lock.json}, run every call that
 * maps to an endpoint the gateway serves ({@code src/test/sdk/sdk-check.mjs}), on the SDKs' default options (the
 * OpenAI SDK's embeddings ask for base64); each must succeed and parse into the SDK's typed objects, with the values
 * the simulator answered. The packages are installed from the npm registry into {@code target/sdk-node} once per lock
 * file. Without Node and npm the test is skipped, except in CI ({@code CI=true}), where it fails.
 */
class OfficialSdksIT {

    private static final String MISTRAL_KEY = "it-mistral-key-0123456789abcdef";
    private static final String CLIENT_KEY = "it-client-key-0123456789abcdef";
    /**
     * Mistral SDK: chat, stream, chat and stream from the cache, models x2, embeddings, fim x2, agents x2, moderation
     * x2, classification x2, ocr, audio transcription (with and without segments).
     */
    private static final int MISTRAL_CALLS = 17;
    /**
     * OpenAI SDK: chat, stream, chat and stream from the cache, models x2, embeddings (base64, its default, and float),
     * audio transcription.
     */
    private static final int OPENAI_CALLS = 8;

    private final PackagedApp app = new PackagedApp();

    @AfterEach
    void stop() throws InterruptedException {
        app.close();
    }

    @Test
    void everySupportedCallOfTheOfficialSdksParsesIntoTypedObjects() throws Exception {
        NodeProject.require("the official SDK check (Node 20 with npm)", List.of("node", "npm"));
        NodeProject sdks = new NodeProject("sdk").install();
        int simulatorPort = app.startSimulator(MISTRAL_KEY);
        PackagedApp.Gateway gateway = app.startGateway(MISTRAL_KEY, simulatorPort, CLIENT_KEY,
                // The key's deterministic requests use the response cache: the SDKs cannot add its header.
                Map.of("GATEWAY_CACHE_KEYS", "ops"));
        PackagedApp.waitFor(() -> Files.readString(gateway.log()).contains("Listening on"), "gateway start");

        NodeProject.Result run = sdks.run(List.of("node", "sdk-check.mjs"), Map.of(
                "GATEWAY_URL", "http://127.0.0.1:" + gateway.port(), "GATEWAY_KEY", CLIENT_KEY), 180);
        List<JsonNode> results = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : run.output().lines().toList()) {
            if (line.startsWith("{\"sdk\"")) {
                JsonNode result = json.readTree(line);
                results.add(result);
                System.out.printf("[sdk] %-8s %-34s %s %s%n", result.get("sdk").asText(), result.get("call").asText(),
                        result.get("ok").asBoolean() ? "ok  " : "FAIL", result.get("detail").asText());
            }
        }
        List<String> failed = results.stream().filter(result -> !result.get("ok").asBoolean())
                .map(result -> result.get("sdk").asText() + " " + result.get("call").asText() + ": "
                        + result.get("detail").asText())
                .toList();
        assertTrue(failed.isEmpty(), "SDK calls failed: " + failed + "\n" + run.output());
        assertEquals(MISTRAL_CALLS + OPENAI_CALLS, results.size(), run.output());
        assertEquals(0, run.exitCode(), run.output());
    }
}
