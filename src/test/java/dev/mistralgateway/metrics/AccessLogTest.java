package dev.mistralgateway.metrics;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mistralgateway.testing.LogCapture;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** One access line per API request, with what operators need and nothing a user wrote. */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
class AccessLogTest {

    @Test
    void logsOneLinePerRequestWithIdModelStatusLatencyAndTokensButNoContent() {
        Simulator.reset();
        List<String> access;
        try (LogCapture logs = LogCapture.start()) {
            given().header("X-Request-Id", "access-log-test-1").contentType(ContentType.JSON)
                    .body("{\"messages\":[{\"role\":\"user\",\"content\":\"private words 9931\"}]}")
                    .post("/api/chat").then().statusCode(200);
            given().header("X-Request-Id", "access-log-test-2").contentType(ContentType.JSON)
                    .body("{\"messages\":[]}").post("/v1/chat/completions").then().statusCode(400);
            given().get("/health");
            access = logs.lines().stream().filter(line -> line.startsWith("dev.mistralgateway.access")).toList();
            assertFalse(logs.lines().stream().anyMatch(line -> line.contains("9931")), "no message content is logged");
        }
        assertEquals(2, access.size(), "one line per API request, none for /health: " + access);
        String ok = access.get(0);
        assertTrue(ok.contains("requestId=access-log-test-1"), ok);
        assertTrue(ok.contains("chat key=anonymous model=mistral-small-2506 stream=false status=200"), ok);
        assertTrue(ok.matches(".*latency_ms=\\d+ prompt_tokens=9 completion_tokens=8.*"), ok);
        assertTrue(access.get(1).contains("status=400") && access.get(1).contains("requestId=access-log-test-2"), access.get(1));
    }
}
