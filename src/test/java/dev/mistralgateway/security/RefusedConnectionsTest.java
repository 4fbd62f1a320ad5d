package dev.mistralgateway.security;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.testing.AuthProfile;
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

/**
 * What happens around a refused request, on raw sockets as an attacker sends it: nothing after a framing refusal is
 * read as a request, a refused body is not read to its end, a request without Host is a counted 400, and half-sent
 * requests leave no metric label.
 */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(AuthProfile.class)
class RefusedConnectionsTest {

    private static final String PING = "{\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}";
    /** A complete, keyed chat request: what a smuggler hides in the body of a request the gateway refuses. */
    private static final String KEYED_CHAT = "POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Authorization: Bearer " + AuthProfile.TEAM_A_KEY + "\r\nContent-Length: " + PING.length() + "\r\n\r\n" + PING;
    /** Large enough to prove a refused body is not read on, yet quick to send where it is. */
    private static final long UPLOAD_CAP = 64L * 1024 * 1024;

    @TestHTTPResource("/")
    URL root;

    @BeforeEach
    void resetSimulator() {
        Simulator.reset();
    }

    @Test
    void bytesAfterAFramingRefusalAreNeverServed() throws IOException {
        int answers = 0;
        int tries = 0;
        for (String encoding : List.of("identity", "xchunked", "gzip", "chunk")) {
            for (int i = 0; i < 5; i++) {
                String exchange = exchange("POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Authorization: Bearer " + AuthProfile.TEAM_A_KEY + "\r\nTransfer-Encoding: " + encoding
                        + "\r\n\r\n" + KEYED_CHAT);
                // Netty's decoder closes a connection with "chunk" unanswered; the gateway refuses the others.
                assertTrue(exchange.startsWith("HTTP/1.1 400") || exchange.isEmpty() && encoding.equals("chunk"),
                        encoding + ": " + exchange);
                assertFalse(exchange.contains(RawHttp.STILL_OPEN), encoding + ": " + exchange);
                assertTrue(responses(exchange) <= 1, encoding + ": " + exchange);
                answers += responses(exchange);
                tries += exchange.isEmpty() ? 0 : 1;
            }
        }
        // Transfer-Encoding with Content-Length, then a pipelined request.
        for (int i = 0; i < 5; i++) {
            String exchange = exchange("POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer " + AuthProfile.TEAM_A_KEY + "\r\nTransfer-Encoding: identity\r\nContent-Length: "
                    + PING.length() + "\r\n\r\n" + PING + "GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                    + AuthProfile.TEAM_A_KEY + "\r\n\r\n");
            answers += responses(exchange);
            tries++;
        }
        long calls = Simulator.upstreamCalls();
        System.out.printf("[smuggling] %d framing refusals: %d responses, %d Mistral calls%n", tries, answers, calls);
        assertEquals(tries, answers, "exactly one response per connection");
        assertEquals(0, calls, "no smuggled request reached Mistral");
        given().header("Authorization", "Bearer " + AuthProfile.TEAM_A_KEY).contentType(ContentType.JSON).body(PING)
                .post("/api/chat").then().statusCode(200);
    }

    @Test
    void aRefusedBodyIsNotReadToItsEnd() throws Exception {
        String keyless = "Content-Type: application/json\r\n";
        String keyed = keyless + "Authorization: Bearer " + AuthProfile.TEAM_A_KEY + "\r\n";
        record Upload(String what, String head) {
        }
        List<Upload> uploads = List.of(
                new Upload("keyless chunked POST /api/chat (401)", "POST /api/chat HTTP/1.1\r\nHost: x\r\n" + keyless
                        + "Transfer-Encoding: chunked\r\n\r\n"),
                new Upload("keyless POST /api/chat, Content-Length 10 GB (401)", "POST /api/chat HTTP/1.1\r\nHost: x\r\n"
                        + keyless + "Content-Length: 10000000000\r\n\r\n"),
                new Upload("keyed chunked GET /v1/chat/completions (405)", "GET /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                        + keyed + "Transfer-Encoding: chunked\r\n\r\n"),
                new Upload("keyed chunked text/plain POST (415)", "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Type: text/plain\r\nAuthorization: Bearer " + AuthProfile.TEAM_A_KEY
                        + "\r\nTransfer-Encoding: chunked\r\n\r\n"),
                new Upload("keyed chunked POST /v1/nothing (404)", "POST /v1/nothing HTTP/1.1\r\nHost: x\r\n" + keyed
                        + "Transfer-Encoding: chunked\r\n\r\n"),
                new Upload("chunked GET /health", "GET /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
        for (Upload upload : uploads) {
            long sent = upload(upload.head(), upload.head().contains("chunked"));
            System.out.printf("[refused-body] %-52s %,d bytes sent before the connection closed%n", upload.what(), sent);
            assertTrue(sent < 8L * 1024 * 1024, upload.what() + ": " + sent + " bytes were read");
        }
        Management.given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void aRequestWithoutHostIsACounted400WithoutAnErrorLine() throws IOException {
        double before = Metrics.value("mistral_errors_total", "reason=\"invalid_request\"", "status=\"400\"");
        List<String> lines;
        String post;
        String get;
        try (LogCapture logs = LogCapture.start()) {
            for (int i = 0; i < 50; i++) {
                exchange("POST /api/chat HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                        + "Connection: close\r\n\r\n{}");
            }
            post = exchange("POST /api/chat HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                    + "Connection: close\r\n\r\n{}");
            get = exchange("GET /health HTTP/1.1\r\nConnection: close\r\n\r\n");
            lines = logs.lines();
        }
        assertTrue(post.startsWith("HTTP/1.1 400"), post);
        assertTrue(post.contains("\"type\":\"invalid_request_error\"") && post.contains("Host"), post);
        assertTrue(get.startsWith("HTTP/1.1 400") && get.contains("\"error\""), get);
        long errorLines = lines.stream().filter(line -> line.contains("Unexpected error") || line.contains("HTTP Request to")
                || line.contains("ERROR")).count();
        System.out.printf("[no-host] 52 requests without Host: %d error lines, %d lines in all%n", errorLines, lines.size());
        assertEquals(0, errorLines, String.join("\n", lines));
        assertTrue(lines.size() <= 30, lines.size() + " lines for 52 refused requests");
        assertTrue(Metrics.value("mistral_errors_total", "reason=\"invalid_request\"", "status=\"400\"") - before >= 51);
    }

    @Test
    void halfSentRequestsLeaveNoMetricLabel() throws Exception {
        for (int i = 0; i < 120; i++) {
            try (Socket socket = new Socket(root.getHost(), root.getPort())) {
                socket.getOutputStream().write(("GET /half-sent-" + i + " HTTP/1.1\r\nHost: x\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
            }
        }
        for (String path : List.of("/v1/models", "/v1/embeddings")) {
            // Real requests after the flood are still recorded under their route.
            given().header("Authorization", "Bearer " + AuthProfile.TEAM_A_KEY).contentType(ContentType.JSON)
                    .body("{\"model\":\"mistral-embed\",\"input\":\"x\"}")
                    .request(path.equals("/v1/models") ? "GET" : "POST", path).then().statusCode(200);
        }
        TimeUnit.MILLISECONDS.sleep(200);
        String scrape = Metrics.scrape();
        long labels = scrape.lines().filter(line -> line.startsWith("http_server_requests_seconds_count"))
                .filter(line -> line.contains("half-sent")).count();
        System.out.printf("[half-sent] 120 half-sent requests: %d uri labels of their paths%n", labels);
        assertEquals(0, labels, "a client's path became a label");
        for (String path : List.of("/v1/models", "/v1/embeddings")) {
            assertTrue(scrape.lines().anyMatch(line -> line.startsWith("http_server_requests_seconds_count")
                    && line.contains("uri=\"" + path + "\"") && line.contains("status=\"200\"")), path + " recorded");
        }
    }

    private static int responses(String exchange) {
        return exchange.split("HTTP/1.1 ", -1).length - 1;
    }

    /**
     * Sends {@code head} and then body bytes as fast as the gateway takes them, until it closes the connection or
     * {@link #UPLOAD_CAP} bytes went; returns how many body bytes were written.
     */
    private long upload(String head, boolean chunked) throws Exception {
        try (Socket socket = new Socket(root.getHost(), root.getPort())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            byte[] data = "a".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
            byte[] chunk = chunked ? ("10000\r\n" + "a".repeat(64 * 1024) + "\r\n").getBytes(StandardCharsets.US_ASCII) : data;
            long sent = 0;
            Thread closer = new Thread(() -> {
                try {
                    Thread.sleep(20_000);
                    socket.close();
                } catch (InterruptedException | IOException done) {
                    // Closed by the test, or the upload ended first.
                }
            });
            closer.setDaemon(true);
            closer.start();
            try {
                while (sent < UPLOAD_CAP) {
                    out.write(chunk);
                    sent += chunk.length;
                }
            } catch (IOException closed) {
                // The gateway closed the connection: what was sent until then is the measure.
            } finally {
                closer.interrupt();
            }
            return sent;
        }
    }

    private String exchange(String request) throws IOException {
        return RawHttp.exchange(root, request, 3);
    }
}
