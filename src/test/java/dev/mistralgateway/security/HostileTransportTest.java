package dev.mistralgateway.security;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.mistralgateway.testing.AuthProfile;
import dev.mistralgateway.testing.HostileTrafficProfile;
import dev.mistralgateway.testing.LogCapture;
import dev.mistralgateway.testing.Management;
import dev.mistralgateway.testing.RawHttp;
import dev.mistralgateway.testing.Metrics;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Hostile transports: ambiguous HTTP framing (request smuggling), chunked bodies over the limit, and floods of wrong
 * keys. Each gets its clear answer, the gateway stays live, and no key shows in an answer or a log line. The wrong-key
 * flood runs last: it leaves this test's address throttled.
 */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(HostileTrafficProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileTransportTest {

    private static final String PING = "{\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}";
    private static final String SMUGGLED = "GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + AuthProfile.TEAM_A_KEY + "\r\n\r\n";

    @TestHTTPResource("/")
    URL root;

    @BeforeEach
    void resetSimulator() {
        Simulator.reset();
    }

    @Test
    @Order(1)
    void ambiguousFramingIsRefusedAndTheConnectionClosedSoNothingIsSmuggled() throws IOException {
        String body = "x";
        for (String framing : List.of(
                "Transfer-Encoding: xchunked\r\nContent-Length: " + body.length(),
                "Transfer-Encoding: chunked\r\nContent-Length: " + body.length(),
                "Content-Length: " + body.length() + "\r\nTransfer-Encoding: identity",
                "Transfer-Encoding: gzip, chunked\r\nContent-Length: " + body.length())) {
            String exchange = exchange("POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer " + AuthProfile.TEAM_A_KEY + "\r\n" + framing + "\r\n\r\n" + body + SMUGGLED);
            assertTrue(exchange.startsWith("HTTP/1.1 400"), framing + ": " + exchange);
            // Netty's HTTP decoder refuses some of these forms itself, with a bare 400 and a closed connection, before
            // the gateway sees a request; the gateway refuses the others with its JSON error and closes the connection.
            boolean byNetty = exchange.contains("content-length: 0");
            assertTrue(byNetty || exchange.contains("RFC 9112") && exchange.toLowerCase().contains("connection: close"),
                    exchange);
            assertEquals(1, exchange.split("HTTP/1.1 ", -1).length - 1, "one answer, then the connection closed: " + exchange);
            assertFalse(exchange.contains(RawHttp.STILL_OPEN), exchange);
            System.out.printf("[framing] %-60s 400 by %s, connection closed%n", framing.replace("\r\n", " + "),
                    byNetty ? "Netty's decoder" : "the gateway (JSON)");
        }
        String chunkedOnly = exchange("POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Authorization: Bearer " + AuthProfile.TEAM_A_KEY + "\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\n");
        assertTrue(chunkedOnly.startsWith("HTTP/1.1 400"), chunkedOnly);
        assertEquals(0, Simulator.upstreamCalls(), "no smuggled request reached Mistral");
        Management.given().get("/q/health/live").then().statusCode(200);
        given().header("Authorization", "Bearer " + AuthProfile.TEAM_A_KEY).contentType(ContentType.JSON).body(PING)
                .post("/api/chat").then().statusCode(200);
    }

    @Test
    @Order(2)
    void aChunkedBodyOverTheLimitGetsTheJson413OnEveryEndpoint() throws IOException {
        for (String path : List.of("/v1/embeddings", "/v1/chat/completions", "/api/chat")) {
            StringBuilder request = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Type: application/json\r\nAuthorization: Bearer " + AuthProfile.TEAM_A_KEY
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n");
            // A valid JSON body of 1.3 MB: only its size is wrong.
            List<String> chunks = new java.util.ArrayList<>(List.of("{\"input\":\""));
            for (int i = 0; i < 20; i++) {
                chunks.add("a".repeat(64 * 1024));
            }
            chunks.add("\"}");
            for (String chunk : chunks) {
                request.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
            }
            request.append("0\r\n\r\n");
            String exchange = exchange(request.toString());
            assertTrue(exchange.startsWith("HTTP/1.1 413"), path + ": " + exchange.substring(0, Math.min(300, exchange.length())));
            assertTrue(exchange.contains("\"type\":\"request_too_large\""), path + ": " + exchange);
        }
        assertEquals(0, Simulator.upstreamCalls());
    }

    @Test
    @Order(3)
    void aFloodOfWrongKeysIsThrottledPerAddressCountedAndLoggedAtABoundedRate() {
        double throttledBefore = Metrics.value("mistral_errors_total", "reason=\"auth_throttled\"");
        double droppedAuthBefore = Metrics.value("mistral_log_lines_dropped_total", "log=\"auth\"");
        double droppedAccessBefore = Metrics.value("mistral_log_lines_dropped_total", "log=\"access\"");
        List<String> lines;
        int refused = 0;
        try (LogCapture logs = LogCapture.start()) {
            for (int i = 0; i < 60; i++) {
                Response response = given().header("Authorization", "Bearer wrong-key-" + i + "-0000000000")
                        .contentType(ContentType.JSON).body(PING).post("/api/chat");
                if (i < HostileTrafficProfile.FAILURES_PER_MINUTE) {
                    assertEquals(401, response.statusCode(), "failure " + i + " is a plain 401");
                } else {
                    assertEquals(429, response.statusCode(), "failure " + i + " is throttled");
                    assertEquals("authentication_throttled", response.jsonPath().getString("error.type"));
                    assertTrue(Long.parseLong(response.getHeader("Retry-After")) >= 1);
                    refused++;
                }
            }
            // The address is refused whatever key it sends now: guessing gets no answer at all.
            given().header("Authorization", "Bearer " + AuthProfile.TEAM_A_KEY).contentType(ContentType.JSON).body(PING)
                    .post("/api/chat").then().statusCode(429);
            lines = logs.lines();
        }
        assertTrue(Metrics.value("mistral_errors_total", "reason=\"auth_throttled\"") - throttledBefore >= refused);
        long authLines = lines.stream().filter(line -> line.contains("Refused a request from 127.0.0.1")).count();
        assertTrue(authLines >= 1 && authLines <= 3, authLines + " lines for 5 failures within a second or two");
        assertTrue(Metrics.value("mistral_log_lines_dropped_total", "log=\"auth\"") > droppedAuthBefore);
        long accessLines = lines.stream().filter(line -> line.startsWith("dev.mistralgateway.access")).count();
        assertTrue(accessLines < 61 / 2, accessLines + " access lines for 61 refused requests");
        assertTrue(Metrics.value("mistral_log_lines_dropped_total", "log=\"access\"") - droppedAccessBefore
                >= 61 - accessLines);
        for (String line : lines) {
            assertFalse(line.contains("wrong-key-") || line.contains(AuthProfile.TEAM_A_KEY), line);
        }
        assertEquals(0, Simulator.upstreamCalls());
        Management.given().get("/q/health/live").then().statusCode(200);
    }

    private String exchange(String request) throws IOException {
        return RawHttp.exchange(root, request, 5);
    }
}
