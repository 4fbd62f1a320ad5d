package dev.mistralgateway.chat;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** The Mistral key never shows in a response or a log line, however the upstream call fails. */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
class SecretHygieneTest {

    private final List<String> logLines = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            StringBuilder line = new StringBuilder(String.valueOf(record.getMessage()));
            if (record.getParameters() != null) {
                for (Object parameter : record.getParameters()) {
                    line.append(' ').append(parameter);
                }
            }
            for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
                line.append(' ').append(t);
            }
            synchronized (logLines) {
                logLines.add(line.toString());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLogs() {
        Simulator.reset();
        capture.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger("").removeHandler(capture);
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
        Simulator.inject("{\"type\":\"status\",\"status\":500,\"times\":-1}");
        bodies.add(post("/api/chat", plain, 502));
        Simulator.reset();
        Simulator.inject("{\"type\":\"status\",\"status\":500,\"times\":-1}");
        bodies.add(post("/api/chat", stream, 502));
        Simulator.reset();
        Simulator.inject("{\"type\":\"reset\"}");
        bodies.add(post("/api/chat", plain, 502));
        Simulator.inject("{\"type\":\"die\",\"afterChunks\":1}");
        bodies.add(post("/api/chat", stream, 200));

        for (String body : bodies) {
            assertFalse(body.contains(key), "response leaks the key: " + body);
        }
        synchronized (logLines) {
            assertTrue(logLines.stream().anyMatch(line -> line.contains("Mistral call failed")),
                    "the failures were logged (so this test sees the logs): " + logLines);
            for (String line : logLines) {
                assertFalse(line.contains(key), "log line leaks the key: " + line);
            }
        }
    }

    private static String post(String path, String body, int expectedStatus) {
        return given().contentType(ContentType.JSON).body(body).post(path)
                .then().statusCode(expectedStatus).extract().asString();
    }
}
