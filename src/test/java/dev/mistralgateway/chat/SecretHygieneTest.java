package dev.mistralgateway.chat;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

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

    private static String post(String path, String body, int expectedStatus) {
        return given().contentType(ContentType.JSON).body(body).post(path)
                .then().statusCode(expectedStatus).extract().asString();
    }
}
