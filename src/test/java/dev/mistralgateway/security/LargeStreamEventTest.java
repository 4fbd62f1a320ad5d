package dev.mistralgateway.security;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.mistralgateway.testing.Management;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;

/**
 * An upstream whose stream carries one huge event, sent in 2 KB chunks as a broken or hostile Mistral might: the
 * gateway parses it in time linear in its size (it rescanned the event for every chunk: 5 MB cost 10.8 CPU-seconds)
 * and refuses an event over {@code mistral.max-stream-event-size} (before the first event: 502; after it, a final error
 * event).
 */
@QuarkusTest
@WithTestResource(LargeStreamEventTest.HugeEvents.class)
@TestProfile(LargeStreamEventTest.SixMegabyteEvents.class)
class LargeStreamEventTest {

    static final int CHUNK = 2 * 1024;

    public static class SixMegabyteEvents implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mistral.max-stream-event-size", "6M");
        }
    }

    /** A Mistral look-alike whose streams are one event of as many MB as the last message says, then [DONE]. */
    public static class HugeEvents implements QuarkusTestResourceLifecycleManager {
        private Vertx vertx;

        @Override
        public Map<String, String> start() {
            vertx = Vertx.vertx();
            HttpServer server = vertx.createHttpServer().requestHandler(request -> {
                HttpServerResponse response = request.response();
                if (request.path().equals("/v1/models")) {
                    response.putHeader("Content-Type", "application/json")
                            .end("{\"object\":\"list\",\"data\":[{\"id\":\"mistral-small-2506\",\"object\":\"model\"}]}");
                    return;
                }
                request.body().onSuccess(body -> {
                    int megabytes = Integer.parseInt(body.toJsonObject().getJsonArray("messages").getJsonObject(0)
                            .getString("content"));
                    response.setChunked(true).putHeader("Content-Type", "text/event-stream");
                    response.write("data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"model\":\"mistral-small-2506\","
                            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"");
                    long total = megabytes * 1024L * 1024;
                    Buffer chunk = Buffer.buffer("a".repeat(CHUNK));
                    long[] written = { 0 };
                    Runnable[] more = new Runnable[1];
                    more[0] = () -> {
                        while (!response.writeQueueFull() && !response.closed() && written[0] < total) {
                            response.write(chunk);
                            written[0] += CHUNK;
                        }
                        if (written[0] >= total && !response.closed()) {
                            response.end("\"}}]}\n\ndata: [DONE]\n\n");
                        } else if (!response.closed()) {
                            response.drainHandler(drained -> more[0].run());
                        }
                    };
                    more[0].run();
                });
            }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
            return Map.of("mistral.base-url", "http://127.0.0.1:" + server.actualPort(),
                    "mistral.api-key", "huge-events-test-key");
        }

        @Override
        public void stop() {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    @Test
    void aFiveMegabyteEventIsRelayedInLinearTime() {
        long started = System.nanoTime();
        String events = stream(5);
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("[sse-event] one 5 MB event in 2 KB chunks relayed in %d ms%n", millis);
        assertTrue(events.length() > 5 * 1024 * 1024 && events.endsWith("data: [DONE]\n\n"), events.substring(0, 200));
        assertTrue(millis < 5_000, "a 5 MB event took " + millis + " ms");
        Management.given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void aFirstEventOverTheLimitIsAnswered502() {
        long started = System.nanoTime();
        String events = given().contentType(ContentType.JSON)
                .body("{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"8\"}]}")
                .post("/v1/chat/completions").then().statusCode(502).extract().asString();
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("[sse-event] one 8 MB event over the 6 MB limit refused in %d ms%n", millis);
        assertTrue(events.contains("\"type\":\"upstream_invalid_response\""), events);
        assertTrue(events.contains("mistral.max-stream-event-size"), events);
        assertTrue(millis < 3_000, "refusing an 8 MB event took " + millis + " ms");
    }

    private static String stream(int megabytes) {
        return given().contentType(ContentType.JSON)
                .body("{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" + megabytes + "\"}]}")
                .post("/v1/chat/completions").then().statusCode(200).extract().asString();
    }
}
