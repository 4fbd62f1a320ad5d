package dev.mistralgateway.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.testing.PackagedApp;

/**
 * The packaged jar under what production does to it: a SIGTERM with requests in flight (a rolling update), and
 * hundreds of clients that read their streams slowly.
 */
class ShutdownAndSlowReadersIT {

    private static final String KEY = "it-mistral-key-0123456789abcdef";
    private static final String CLIENT_KEY = "it-client-key-0123456789abcdef";
    private final PackagedApp app = new PackagedApp();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void stopProcesses() throws InterruptedException {
        app.close();
    }

    /**
     * A rolling update as Kubernetes does it, shortened: 20 streams and 50 plain requests in flight, then SIGTERM.
     * Readiness goes DOWN at once while requests are still served; plain requests are answered; short streams end
     * with [DONE], long ones with the shutdown error event when the drain is over; no connection is cut.
     */
    @Test
    void sigtermLetsRequestsInFlightFinishAndEndsLongStreamsWithAnErrorEvent() throws Exception {
        int simulatorPort = app.startSimulator(KEY);
        String simulator = "http://127.0.0.1:" + simulatorPort;
        // Plain answers after 3 s, past the 2 s delay; streams at 100 ms per word: 8 words end during the delay, 300
        // words would take 30 s.
        fault(simulator, "{\"type\":\"latency\",\"latencyMs\":3000,\"times\":-1,\"match\":\"plain-\"}");
        fault(simulator, "{\"type\":\"slow\",\"chunkDelayMs\":100,\"times\":-1}");
        PackagedApp.Gateway gateway = app.startGateway(KEY, simulatorPort, CLIENT_KEY, Map.of("QUARKUS_SHUTDOWN_DELAY", "2s",
                "GATEWAY_SHUTDOWN_STREAM_DRAIN", "2s", "QUARKUS_SHUTDOWN_TIMEOUT", "5s"));
        URI ready = gateway.management("/q/health/ready");
        PackagedApp.waitFor(() -> status(ready) == 200, "gateway ready");

        List<CompletableFuture<HttpResponse<String>>> plain = new ArrayList<>();
        List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            plain.add(chatAsync(gateway, false, "plain-" + i));
        }
        for (int i = 0; i < 20; i++) {
            streams.add(chatAsync(gateway, true, "stream-" + i + " " + "word ".repeat(i < 10 ? 8 : 300).strip()));
        }
        PackagedApp.waitFor(() -> upstreamCalls(simulator) == 70, "all 70 requests in flight at Mistral");

        long sigterm = System.nanoTime();
        gateway.process().destroy();
        PackagedApp.waitFor(() -> status(ready) == 503, "readiness DOWN");
        long readinessDownMs = (System.nanoTime() - sigterm) / 1_000_000;
        assertTrue(readinessDownMs < 1_000, "readiness DOWN " + readinessDownMs + " ms after SIGTERM");
        HttpResponse<String> during = chatAsync(gateway, false, "during the delay").get(10, TimeUnit.SECONDS);
        assertEquals(200, during.statusCode(), "still served during the delay: " + during.body());

        for (CompletableFuture<HttpResponse<String>> request : plain) {
            HttpResponse<String> response = request.get(20, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode(), response.body());
        }
        int done = 0;
        int ended = 0;
        for (CompletableFuture<HttpResponse<String>> request : streams) {
            // A reset or a cut chunked body fails the future with an IOException.
            String body = request.get(20, TimeUnit.SECONDS).body();
            if (body.endsWith("data: [DONE]\n\n")) {
                done++;
            } else {
                assertTrue(body.endsWith("data: {\"error\":{\"type\":\"shutting_down\",\"message\":"
                        + "\"The gateway is shutting down; retry the request\"}}\n\n"), body);
                ended++;
            }
        }
        long streamsEndedMs = (System.nanoTime() - sigterm) / 1_000_000;
        assertEquals(10, done, "the short streams finish");
        assertEquals(10, ended, "the long streams end with the error event");
        assertTrue(gateway.process().waitFor(15, TimeUnit.SECONDS), "the gateway stops");
        long exitMs = (System.nanoTime() - sigterm) / 1_000_000;
        String log = Files.readString(gateway.log());
        assertFalse(log.contains("Timed out waiting for graceful shutdown"), log);
        assertTrue(streamsEndedMs >= 4_000, "long streams ran delay + drain: " + streamsEndedMs + " ms");
        System.out.printf("SIGTERM timeline: readiness DOWN after %d ms, long streams ended after %d ms, exit after %d ms%n",
                readinessDownMs, streamsEndedMs, exitMs);
    }

    /**
     * 200 clients that read their long streams (about 400 KB each) a few KB at a time: the gateway reads from Mistral
     * only as fast as they take the events, so its memory stays bounded and its event loops (liveness) keep answering.
     */
    @Test
    void twoHundredSlowReadersCostBoundedMemory() throws Exception {
        int simulatorPort = app.startSimulator(KEY);
        String simulator = "http://127.0.0.1:" + simulatorPort;
        // A heap of fixed size, touched at start: what RSS gains is then memory held, not a heap growing into garbage.
        PackagedApp.Gateway gateway = app.startGateway(KEY, simulatorPort, CLIENT_KEY, Map.of("GATEWAY_AUTH_ENABLED", "false",
                "JDK_JAVA_OPTIONS", "-Xms192m -Xmx192m -XX:+AlwaysPreTouch"));
        PackagedApp.waitFor(() -> status(gateway.management("/q/health/ready")) == 200, "gateway ready");
        for (int i = 0; i < 20; i++) {
            assertEquals(200, chatAsync(gateway, true, "warm up").get(10, TimeUnit.SECONDS).statusCode());
        }
        long rssBefore = rssKb(gateway.process());
        long heapBefore = liveHeapKb(gateway.process());
        String body = "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\""
                + "word ".repeat(2_000).strip() + "\"}]}";
        List<Socket> readers = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                Socket socket = new Socket();
                socket.setReceiveBufferSize(4096);
                socket.connect(new java.net.InetSocketAddress("127.0.0.1", gateway.port()));
                socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                readers.add(socket);
            }
            byte[] some = new byte[2048];
            for (Socket reader : readers) {
                reader.setSoTimeout(10_000);
                assertTrue(reader.getInputStream().read(some) > 0, "the stream started");
            }
            // The readers stall; liveness answers throughout, and memory settles.
            long maxProbeMs = 0;
            long peakRss = 0;
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                assertEquals(200, status(gateway.management("/q/health/live")));
                maxProbeMs = Math.max(maxProbeMs, (System.nanoTime() - start) / 1_000_000);
                peakRss = Math.max(peakRss, rssKb(gateway.process()));
                TimeUnit.MILLISECONDS.sleep(150);
            }
            long heapStalled = liveHeapKb(gateway.process());
            long completed = counter(http.send(HttpRequest.newBuilder(URI.create(simulator + "/_simulator/stats")).build(),
                    HttpResponse.BodyHandlers.ofString()).body(), "streams_completed");
            long growthMb = (peakRss - rssBefore) / 1024;
            long heapGrowthMb = (heapStalled - heapBefore) / 1024;
            System.out.printf("200 slow readers: RSS %d MB -> peak %d MB (+%d MB), live heap %d MB -> %d MB (+%d MB),"
                    + " slowest liveness %d ms, %d of 200 streams sent whole by Mistral (into kernel buffers)%n",
                    rssBefore / 1024, peakRss / 1024, growthMb, heapBefore / 1024, heapStalled / 1024, heapGrowthMb,
                    maxProbeMs, completed - 20);
            // Without backpressure the 80 MB of events would be held here: 400 KB per reader.
            assertTrue(heapGrowthMb < 16, "live heap grew by " + heapGrowthMb + " MB");
            assertTrue(maxProbeMs < 1_000, "liveness answered within " + maxProbeMs + " ms");
            assertTrue(growthMb < 32, "RSS grew by " + growthMb + " MB for 200 slow readers of 400 KB streams");
        } finally {
            for (Socket reader : readers) {
                reader.close();
            }
        }
    }

    /** The heap still in use after a full GC, from {@code jcmd}. */
    private static long liveHeapKb(Process process) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        new ProcessBuilder(jcmd, String.valueOf(process.pid()), "GC.run").redirectErrorStream(true).start().waitFor();
        Process info = new ProcessBuilder(jcmd, String.valueOf(process.pid()), "GC.heap_info").redirectErrorStream(true).start();
        String out = new String(info.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        info.waitFor();
        java.util.regex.Matcher used = java.util.regex.Pattern.compile("total (\\d+)K, used (\\d+)K").matcher(out);
        assertTrue(used.find(), out);
        return Long.parseLong(used.group(2));
    }

    private static long rssKb(Process process) throws IOException {
        return Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status")).stream()
                .filter(line -> line.startsWith("VmRSS:")).findFirst()
                .map(line -> Long.parseLong(line.replaceAll("[^0-9]", ""))).orElseThrow();
    }

    private CompletableFuture<HttpResponse<String>> chatAsync(PackagedApp.Gateway gateway, boolean stream, String content) {
        return http.sendAsync(HttpRequest.newBuilder(gateway.uri("/v1/chat/completions"))
                .version(HttpClient.Version.HTTP_1_1)
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + CLIENT_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":" + stream
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private int status(URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).version(HttpClient.Version.HTTP_1_1).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private void fault(String simulator, String json) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(simulator + "/_simulator/faults"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode(), response.body());
    }

    private long upstreamCalls(String simulator) throws Exception {
        String stats = http.send(HttpRequest.newBuilder(URI.create(simulator + "/_simulator/stats")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return counter(stats, "chat") + counter(stats, "stream");
    }

    private static long counter(String stats, String name) {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("\"" + name + "\":([0-9]+)").matcher(stats);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }
}
