package dev.mistralgateway.simulator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.testing.SseEvents;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/** The simulator itself: Mistral's wire format, its key check, and fault scoping. */
class MistralSimulatorTest {

    private static MistralSimulator simulator;

    @BeforeAll
    static void start() {
        simulator = MistralSimulator.start(MistralSimulator.Options.defaults());
    }

    @AfterAll
    static void stop() {
        simulator.close();
    }

    @BeforeEach
    void reset() {
        simulator.reset();
    }

    private static RequestSpecification mistral() {
        return given().baseUri(simulator.baseUrl()).header("Authorization", "Bearer " + simulator.apiKey())
                .contentType(ContentType.JSON);
    }

    private static String chat(String content) {
        return "{\"model\":\"mistral-small-2506\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
    }

    @Test
    void refusesAWrongKeyWithMistrals401Body() {
        given().baseUri(simulator.baseUrl()).header("Authorization", "Bearer wrong").contentType(ContentType.JSON)
                .body(chat("hi")).post("/v1/chat/completions")
                .then().statusCode(401).body("message", equalTo("Unauthorized"));
        given().baseUri(simulator.baseUrl()).get("/v1/models").then().statusCode(401);
    }

    @Test
    void answersChatDeterministicallyWithUsage() {
        for (int i = 0; i < 2; i++) {
            mistral().body(chat("same question")).post("/v1/chat/completions")
                    .then().statusCode(200)
                    .body("choices[0].message.content", equalTo("Echo: same question"))
                    .body("usage.prompt_tokens", equalTo(8))
                    .body("usage.completion_tokens", equalTo(7));
        }
    }

    @Test
    void refusesUnknownModelsLikeMistral() {
        mistral().body("{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                .post("/v1/chat/completions")
                .then().statusCode(400).body("message", equalTo("Invalid model: nope"));
    }

    @Test
    void streamsChunksWithUsageAndDone() {
        String body = mistral().body(chat("a b").replace("{\"model\"", "{\"stream\":true,\"model\"")).post("/v1/chat/completions")
                .then().statusCode(200).contentType("text/event-stream").extract().asString();
        List<String> events = SseEvents.data(body);
        assertEquals("[DONE]", events.get(events.size() - 1));
        assertEquals(6, events.size(), "role chunk, 3 words, final chunk, [DONE]: " + events);
        assertTrue(new JsonPath(events.get(4)).getInt("usage.total_tokens") > 0);
        assertEquals(1, simulator.count("streams_completed"));
    }

    @Test
    void listsModelsAndEmbedsDeterministically() {
        mistral().get("/v1/models").then().statusCode(200).body("data.id", hasItem("mistral-small-2506"));
        List<Float> first = mistral().body("{\"model\":\"mistral-embed\",\"input\":\"x\"}").post("/v1/embeddings")
                .then().statusCode(200).extract().jsonPath().getList("data[0].embedding", Float.class);
        List<Float> second = mistral().body("{\"model\":\"mistral-embed\",\"input\":\"x\"}").post("/v1/embeddings")
                .then().extract().jsonPath().getList("data[0].embedding", Float.class);
        assertEquals(1024, first.size());
        assertEquals(first, second);
    }

    @Test
    void faultAppliesToTheNextNMatchingRequestsOnly() {
        simulator.inject(Fault.status(503).times(2));
        mistral().body(chat("x")).post("/v1/chat/completions").then().statusCode(503);
        mistral().body(chat("x")).post("/v1/chat/completions").then().statusCode(503);
        mistral().body(chat("x")).post("/v1/chat/completions").then().statusCode(200);
    }

    @Test
    void faultScopedByMatchAndEndpointLeavesOtherRequestsAlone() {
        given().baseUri(simulator.baseUrl()).contentType(ContentType.JSON)
                .body("{\"type\":\"status\",\"status\":429,\"retryAfterSeconds\":5,\"endpoint\":\"chat\",\"match\":\"marker-42\"}")
                .post("/_simulator/faults").then().statusCode(201);
        mistral().get("/v1/models").then().statusCode(200);
        mistral().body(chat("other")).post("/v1/chat/completions").then().statusCode(200);
        mistral().body(chat("marker-42")).post("/v1/chat/completions")
                .then().statusCode(429).header("Retry-After", "5").body("message", equalTo("Requests rate limit exceeded"));
    }

    @Test
    void latencyFaultDelaysTheAnswer() {
        simulator.inject(Fault.of(Fault.Type.LATENCY).latency(300));
        long start = System.nanoTime();
        mistral().body(chat("x")).post("/v1/chat/completions").then().statusCode(200);
        assertTrue((System.nanoTime() - start) / 1_000_000 >= 300);
    }

    @Test
    void garbageFaultSendsInvalidJson() {
        simulator.inject(Fault.of(Fault.Type.GARBAGE));
        String body = mistral().body(chat("x")).post("/v1/chat/completions").then().statusCode(200).extract().asString();
        assertTrue(body.contains("<html>"), body);
    }

    @Test
    void refusesAnInvalidFaultWithAReason() {
        given().baseUri(simulator.baseUrl()).contentType(ContentType.JSON).body("{\"type\":\"status\"}")
                .post("/_simulator/faults")
                .then().statusCode(400);
        given().baseUri(simulator.baseUrl()).contentType(ContentType.JSON).body("{\"type\":\"explode\"}")
                .post("/_simulator/faults")
                .then().statusCode(400);
    }
}
