package dev.mistralgateway.chat;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.simulator.Fault;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** A client that goes away mid-stream must not leave the gateway streaming from Mistral (and paying for it). */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
class StreamCancellationTest {

    @TestHTTPResource("/v1/chat/completions")
    URL completions;

    @BeforeEach
    void resetSimulator() {
        Simulator.reset();
    }

    @Test
    void clientDisconnectCancelsTheUpstreamStream() throws Exception {
        // 40 words at 200 ms each: the stream would last 8 s if nobody cancelled it.
        Simulator.inject(Fault.of(Fault.Type.SLOW).chunkDelay(200));
        String body = "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" + "word ".repeat(40).strip() + "\"}]}";
        try (Socket socket = new Socket(completions.getHost(), completions.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + completions.getPath() + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nAccept: text/event-stream\r\n"
                    + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.startsWith("data:")) {
                // skip the status line and headers
            }
            assertTrue(line != null && line.contains("chat.completion.chunk"), "first event arrived: " + line);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> Simulator.count("streams_cancelled") == 1);
        assertEquals(0, Simulator.count("streams_completed"));
    }
}
