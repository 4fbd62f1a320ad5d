package dev.mistralgateway.chat;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.simulator.Fault;
import dev.mistralgateway.testing.LogCapture;
import dev.mistralgateway.testing.Metrics;
import dev.mistralgateway.testing.PatientProfile;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;

/**
 * Clients that leave cancel their Mistral calls at once, through the guard, and are counted as what they are: 499,
 * a client disconnect, never a Mistral error, an upstream latency or a failure for the circuit breaker.
 */
@QuarkusTest
@TestProfile(PatientProfile.class)
@WithTestResource(SimulatorResource.class)
class ClientDisconnectTest {

    private static final int PLAIN = 256;
    private static final int STREAMS = 50;

    @TestHTTPResource("/v1/chat/completions")
    URL completions;

    @BeforeEach
    void resetSimulator() {
        Simulator.reset();
    }

    @Test
    void everyAbandonedRequestCancelsItsMistralCallAndCountsAs499() throws Exception {
        // A slow Mistral: no answer and no first event for the first ones; one event, then silence, for the others.
        Simulator.inject(Fault.of(Fault.Type.HANG).times(-1).match("leave"));
        Simulator.inject(Fault.of(Fault.Type.STALL).afterChunks(1).times(-1).match("midway"));
        String before = Metrics.scrape();
        long sent = 0;
        for (int round = 0; round < 5; round++) {
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < PLAIN; i++) {
                clients.add(send(false, "leave before the answer"));
            }
            for (int i = 0; i < STREAMS; i++) {
                clients.add(send(true, "leave before the first event"));
            }
            List<Socket> streaming = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                streaming.add(send(true, "midway one two three four five six seven eight"));
            }
            sent += PLAIN + 2 * STREAMS;
            long expected = sent;
            await().atMost(Duration.ofSeconds(20)).until(() -> Simulator.count("chat") + Simulator.count("stream") == expected);
            for (Socket client : streaming) {
                assertTrue(firstEvent(client).contains("chat.completion.chunk"));
            }
            clients.addAll(streaming);
            for (Socket client : clients) {
                client.close();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> Simulator.count("aborted") == expected);
        }
        long abandoned = sent;
        await().atMost(Duration.ofSeconds(5)).until(
                () -> Metrics.value("mistral_requests_total", "status=\"499\"") - Metrics.valueIn(before,
                        "mistral_requests_total", "status=\"499\"") == abandoned);
        String after = Metrics.scrape();
        assertEquals(abandoned, delta(before, after, "mistral_client_disconnects_total"));
        assertEquals(0, delta(before, after, "mistral_errors_total"), "not Mistral's failures");
        assertEquals(5 * STREAMS, delta(before, after, "mistral_upstream_latency_seconds_count"),
                "upstream latency only for the streams whose first event came");
        assertEquals(0, Simulator.count("streams_completed"));
        assertEquals(CircuitBreakerState.CLOSED, CircuitBreakerMaintenance.get().currentState("mistral"));
    }

    @Test
    void aClientThatLeavesMidStreamStopsTheStreamFromMistral() throws Exception {
        // 40 words at 200 ms each: the stream would last 8 s if nobody cancelled it.
        Simulator.inject(Fault.of(Fault.Type.SLOW).chunkDelay(200));
        try (Socket client = send(true, "word ".repeat(40).strip())) {
            assertTrue(firstEvent(client).contains("chat.completion.chunk"));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> Simulator.count("streams_cancelled") == 1);
        assertEquals(0, Simulator.count("streams_completed"));
    }

    @Test
    void aStormOfClientsThatLeaveWithin80MillisecondsLeavesNothingRunningUpstream() throws Exception {
        Simulator.inject(Fault.of(Fault.Type.HANG).times(-1).match("storm"));
        String before = Metrics.scrape();
        // 200 clients in waves of 10: each posts, waits up to 40 ms, and leaves (the rest of the 80 ms is slack for a loaded machine).
        long longestStayMs = 0;
        java.util.Random random = new java.util.Random(13);
        for (int wave = 0; wave < 20; wave++) {
            long posted = System.nanoTime();
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                clients.add(send(i % 4 == 0, "storm"));
            }
            TimeUnit.MILLISECONDS.sleep(random.nextInt(40));
            for (Socket client : clients) {
                client.close();
            }
            longestStayMs = Math.max(longestStayMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - posted));
        }
        assertTrue(longestStayMs < 80, "a client stayed " + longestStayMs + " ms");
        await().atMost(Duration.ofSeconds(5)).until(
                () -> Simulator.count("aborted") == Simulator.count("chat") + Simulator.count("stream"));
        // Still nothing a second later: no retry, no late call, no breaker opening.
        TimeUnit.SECONDS.sleep(1);
        long calls = Simulator.count("chat") + Simulator.count("stream");
        assertTrue(calls <= 200, calls + " upstream calls for 200 clients");
        assertEquals(calls, Simulator.count("aborted"));
        assertEquals(0, delta(before, Metrics.scrape(), "mistral_errors_total"));
        assertEquals(CircuitBreakerState.CLOSED, CircuitBreakerMaintenance.get().currentState("mistral"));
    }

    @Test
    void anUploadAbortedMidBodyIsA499AndNoError() throws Exception {
        String before = Metrics.scrape();
        try (LogCapture logs = LogCapture.start()) {
            try (Socket socket = new Socket(completions.getHost(), completions.getPort())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST " + completions.getPath() + " HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n{\"messages\":[")
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
                TimeUnit.MILLISECONDS.sleep(100);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> Metrics.value("mistral_requests_total", "status=\"499\"")
                    - Metrics.valueIn(before, "mistral_requests_total", "status=\"499\"") == 1);
            assertFalse(logs.lines().stream().anyMatch(line -> line.contains("Unexpected error")), logs.lines().toString());
        }
        assertEquals(0, Simulator.upstreamCalls());
    }

    private Socket send(boolean stream, String content) throws IOException {
        String body = "{\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
        Socket socket = new Socket(completions.getHost(), completions.getPort());
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + completions.getPath() + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
        return socket;
    }

    private static String firstEvent(Socket socket) throws IOException {
        socket.setSoTimeout(5_000);
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.startsWith("data:")) {
            // the status line and headers
        }
        return String.valueOf(line);
    }

    private static double delta(String before, String after, String name) {
        return Metrics.valueIn(after, name) - Metrics.valueIn(before, name);
    }
}
