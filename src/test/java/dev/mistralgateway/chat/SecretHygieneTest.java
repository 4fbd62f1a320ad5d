package dev.mistralgateway.chat;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.simulator.Fault;
import dev.mistralgateway.testing.LogCapture;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** The Mistral key never shows in a response or a log line, however the upstream call fails. */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
class SecretHygieneTest {

    private LogCapture logs;

    @BeforeEach
    void captureLogs() {
        Simulator.reset();
        logs = LogCapture.start();
    }

    @AfterEach
    void stopCapturing() {
        logs.close();
    }

    @Test
    void keyAppearsInNoResponseAndNoLogWhenCallsFail() {
        String key = Simulator.gatewayMistralKey();
        List<String> bodies = new ArrayList<>();
        String plain = ChatApiTest.PING;
        String stream = "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}";

        Simulator.acceptOnlyKey("another-key");
        bodies.add(post("/api/chat", plain, 401));
        bodies.add(post("/v1/chat/completions", stream, 401));
        bodies.add(post("/v1/embeddings", "{\"input\":\"x\"}", 401));
        Simulator.reset();
        Simulator.inject(Fault.status(500).times(-1));
        bodies.add(post("/api/chat", plain, 502));
        Simulator.reset();
        Simulator.inject(Fault.status(500).times(-1));
        bodies.add(post("/api/chat", stream, 502));
        Simulator.reset();
        Simulator.inject(Fault.of(Fault.Type.RESET));
        bodies.add(post("/api/chat", plain, 502));
        Simulator.inject(Fault.of(Fault.Type.DIE).afterChunks(1));
        bodies.add(post("/api/chat", stream, 200));

        for (String body : bodies) {
            assertFalse(body.contains(key), "response leaks the key: " + body);
        }
        List<String> lines = logs.lines();
        assertTrue(lines.stream().anyMatch(line -> line.contains("Mistral call failed")),
                "the failures were logged (so this test sees the logs): " + lines);
        for (String line : lines) {
            assertFalse(line.contains(key), "log line leaks the key: " + line);
        }
    }

    /** Mistral may echo the key it received in its error message: the client and the logs get it redacted. */
    @Test
    void aKeyMistralEchoesInItsErrorIsRedactedFromAnswersAndLogs() {
        String key = Simulator.gatewayMistralKey();
        Map<Integer, Integer> relayed = Map.of(400, 400, 401, 401, 403, 403, 404, 404, 422, 422, 429, 429, 500, 502,
                503, 502);
        List<String> bodies = new ArrayList<>();
        relayed.forEach((status, clientStatus) -> {
            Simulator.reset();
            Simulator.inject(Fault.status(status).message("Invalid header 'Authorization: Bearer " + key + "' (" + key
                    + ")").times(-1));
            bodies.add(post("/api/chat", ChatApiTest.PING, clientStatus));
            // A retried status (429, 5xx) twice in a row would open the circuit: the stream's variant starts afresh.
            Simulator.reset();
            Simulator.inject(Fault.status(status).message("Invalid header 'Authorization: Bearer " + key + "' (" + key
                    + ")").times(-1));
            bodies.add(post("/v1/chat/completions",
                    "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}", clientStatus));
        });
        Simulator.reset();
        long leaked = bodies.stream().filter(body -> body.contains(key)).count();
        System.out.printf("[redaction] %d of %d error bodies carry the Mistral key%n", leaked, bodies.size());
        for (String body : bodies) {
            assertFalse(body.contains(key), "response leaks the key: " + body);
            assertTrue(body.contains("[REDACTED]"), "Mistral's message is relayed, redacted: " + body);
        }
        List<String> lines = logs.lines();
        assertTrue(lines.stream().anyMatch(line -> line.contains("Mistral call failed") && line.contains("[REDACTED]")),
                "the 5xx were logged with Mistral's message: " + lines);
        for (String line : lines) {
            assertFalse(line.contains(key), "log line leaks the key: " + line);
        }
    }

    private static String post(String path, String body, int expectedStatus) {
        return given().contentType(ContentType.JSON).body(body).post(path)
                .then().statusCode(expectedStatus).extract().asString();
    }
}
