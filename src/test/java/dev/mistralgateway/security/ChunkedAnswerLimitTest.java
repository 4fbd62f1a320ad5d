package dev.mistralgateway.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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
 * An upstream that answers with 20 MB, chunked (no Content-Length to refuse it by): the gateway stops reading once
 * the answer passes {@code mistral.max-response-size}, resets the call and answers 502. Twelve at once leave the
 * gateway live and each transfer cut short.
 */
@QuarkusTest
@WithTestResource(ChunkedAnswerLimitTest.HugeAnswers.class)
@TestProfile(ChunkedAnswerLimitTest.OneMegabyte.class)
class ChunkedAnswerLimitTest {

    static final long ANSWER_BYTES = 20L * 1024 * 1024;
    /** Bytes the upstream managed to write, per answer, before the gateway went away. */
    static final List<AtomicLong> WRITTEN = new java.util.concurrent.CopyOnWriteArrayList<>();

    public static class OneMegabyte implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mistral.max-response-size", "1M");
        }
    }

    /** A Mistral look-alike whose chat answers are 20 MB of chunked JSON, written as fast as the reader takes them. */
    public static class HugeAnswers implements QuarkusTestResourceLifecycleManager {
        private Vertx vertx;

        @Override
        public Map<String, String> start() {
            vertx = Vertx.vertx();
            HttpServer server = vertx.createHttpServer().requestHandler(request -> {
                HttpServerResponse response = request.response().putHeader("Content-Type", "application/json");
                if (request.path().equals("/v1/models")) {
                    response.end("{\"object\":\"list\",\"data\":[{\"id\":\"mistral-small-2506\",\"object\":\"model\"}]}");
                    return;
                }
                AtomicLong written = new AtomicLong();
                WRITTEN.add(written);
                response.setChunked(true);
                response.write("{\"id\":\"x\",\"object\":\"chat.completion\",\"padding\":\"");
                Buffer chunk = Buffer.buffer("a".repeat(64 * 1024));
                Runnable[] more = new Runnable[1];
                more[0] = () -> {
                    while (!response.writeQueueFull() && !response.closed() && written.get() < ANSWER_BYTES) {
                        response.write(chunk);
                        written.addAndGet(chunk.length());
                    }
                    if (written.get() >= ANSWER_BYTES && !response.closed()) {
                        response.end("\"}");
                    } else if (!response.closed()) {
                        response.drainHandler(drained -> more[0].run());
                    }
                };
                more[0].run();
            }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
            return Map.of("mistral.base-url", "http://127.0.0.1:" + server.actualPort(),
                    "mistral.api-key", "huge-answers-test-key");
        }

        @Override
        public void stop() {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    @Test
    void aChunkedAnswerOverTheLimitIsCutShortAndAnswered502() throws Exception {
        WRITTEN.clear();
        given().contentType(ContentType.JSON).body("{\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}")
                .post("/api/chat")
                .then().statusCode(502)
                .body("error.type", equalTo("upstream_invalid_response"))
                .body("error.message", containsString("over the gateway's limit of 1048576 bytes"));

        List<CompletableFuture<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            calls.add(CompletableFuture.supplyAsync(() -> given().contentType(ContentType.JSON)
                    .body("{\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}").post("/api/chat").statusCode()));
        }
        for (CompletableFuture<Integer> call : calls) {
            assertEquals(502, call.get(30, TimeUnit.SECONDS));
        }
        Management.given().get("/q/health/live").then().statusCode(200);
        assertEquals(13, WRITTEN.size());
        for (AtomicLong written : WRITTEN) {
            // The limit plus what the sockets' buffers held when the gateway reset the call: far from 20 MB.
            assertTrue(written.get() < ANSWER_BYTES / 2, written.get() + " bytes written of a 20 MB answer");
        }
        System.out.printf("[chunked-limit] 13 answers of 20 MB cut after %d..%d KB each%n",
                WRITTEN.stream().mapToLong(AtomicLong::get).min().orElse(0) / 1024,
                WRITTEN.stream().mapToLong(AtomicLong::get).max().orElse(0) / 1024);
    }
}
