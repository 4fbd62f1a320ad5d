package dev.mistralgateway.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

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

    private static final Path SOURCES = Path.of("src", "test", "sdk");
    private static final Path NODE_DIR = Path.of("target", "sdk-node");
    private static final String REGISTRY = "https://registry.npmjs.org/";
    private static final String MISTRAL_KEY = "it-mistral-key-0123456789abcdef";
    private static final String CLIENT_KEY = "it-client-key-0123456789abcdef";
    /**
     * Mistral SDK: chat, stream, models x2, embeddings, fim x2, agents x2, moderation x2, classification x2, ocr, audio
     * transcription (with and without segments).
     */
    private static final int MISTRAL_CALLS = 16;
    /** OpenAI SDK: chat, stream, models x2, embeddings (base64, its default, and float), audio transcription. */
    private static final int OPENAI_CALLS = 7;

    private final PackagedApp app = new PackagedApp();

    @AfterEach
    void stop() throws InterruptedException {
        app.close();
    }

    @Test
    void everySupportedCallOfTheOfficialSdksParsesIntoTypedObjects() throws Exception {
        requireNode();
        install();
        int simulatorPort = app.startSimulator(MISTRAL_KEY);
        PackagedApp.Gateway gateway = app.startGateway(MISTRAL_KEY, simulatorPort, CLIENT_KEY, Map.of());
        PackagedApp.waitFor(() -> Files.readString(gateway.log()).contains("Listening on"), "gateway start");

        Result run = run(List.of("node", "sdk-check.mjs"), Map.of(
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

    /** Node and npm, or a skip with the reason (a failure in CI, where they must be there). */
    private static void requireNode() {
        String missing = null;
        for (String tool : List.of("node", "npm")) {
            try {
                if (run(List.of(tool, "--version"), Map.of(), 60).exitCode() != 0) {
                    missing = tool;
                }
            } catch (IOException | InterruptedException e) {
                missing = tool;
            }
        }
        if (missing == null) {
            return;
        }
        String message = missing + " is not installed: the official SDK check (Node 20 with npm) cannot run";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message + "; CI must run it (.ci/run)");
        }
        Assumptions.abort(message + "; skipped outside CI");
    }

    /** {@code npm ci} of the pinned SDKs into target/sdk-node, unless that lock file is installed there already. */
    private static void install() throws Exception {
        Files.createDirectories(NODE_DIR);
        for (String file : List.of("package.json", "package-lock.json", "sdk-check.mjs")) {
            Files.copy(SOURCES.resolve(file), NODE_DIR.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        Path stamp = NODE_DIR.resolve("node_modules").resolve(".installed-lock.json");
        String lock = Files.readString(SOURCES.resolve("package-lock.json"));
        if (Files.exists(stamp) && Files.readString(stamp).equals(lock)) {
            return;
        }
        Result install = run(List.of("npm", "ci", "--no-audit", "--no-fund", "--registry=" + REGISTRY), Map.of(
                "NPM_CONFIG_UPDATE_NOTIFIER", "false"), 300);
        assertEquals(0, install.exitCode(), "npm ci failed:\n" + install.output());
        Files.writeString(stamp, lock);
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(List<String> command, Map<String, String> env, int timeoutSeconds)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("sdk-it", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(NODE_DIR.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Files.createDirectories(NODE_DIR);
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(-1, "timed out after " + timeoutSeconds + " s\n" + Files.readString(log));
        }
        return new Result(process.exitValue(), Files.readString(log));
    }
}
