package dev.mistralgateway.inference;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.mistralgateway.simulator.Fault;
import dev.mistralgateway.testing.Metrics;
import dev.mistralgateway.testing.SseEvents;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;

/**
 * Each of Mistral's other inference endpoints through the gateway: the answer as Mistral sends it, the gateway's
 * refusals before any call, Mistral's failures through the guard, and the spend booked from the answer.
 */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
class InferenceEndpointsTest {

    static final String FIM = "{\"model\":\"codestral-2508\",\"prompt\":\"def add(a, b):\",\"suffix\":\"return c\"}";
    static final String AGENTS = "{\"agent_id\":\"ag:sim:1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi there\"}]}";
    static final String MODERATION = "{\"model\":\"mistral-moderation-2411\",\"input\":[\"I will kill it\",\"hello\"]}";
    static final String CHAT_MODERATION = "{\"model\":\"mistral-moderation-2411\",\"input\":"
            + "[{\"role\":\"user\",\"content\":\"hello\"},{\"role\":\"assistant\",\"content\":\"hi\"}]}";
    static final String CLASSIFICATION = "{\"model\":\"mistral-moderation-2411\",\"input\":[\"good\",\"bad\"]}";
    static final String CHAT_CLASSIFICATION = "{\"model\":\"mistral-moderation-2411\",\"input\":"
            + "[[{\"role\":\"user\",\"content\":\"bad day\"}]]}";
    static final String OCR = "{\"model\":\"mistral-ocr-2505\",\"document\":"
            + "{\"type\":\"document_url\",\"document_url\":\"https://example.com/invoice.pdf\"}}";

    @BeforeEach
    void resetSimulator() {
        Simulator.reset();
    }

    private static ValidatableResponse post(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).post(path).then();
    }

    private static String streamed(String body) {
        return body.substring(0, body.length() - 1) + ",\"stream\":true}";
    }

    @Test
    void fimAnswersAsMistralWithTheTokenCapAndTheBodyOtherwiseUntouched() {
        double before = Metrics.value("mistral_tokens_total", "model=\"codestral-2508\"", "type=\"prompt\"");
        double requests = Metrics.value("mistral_requests_total", "endpoint=\"fim\"", "status=\"200\"");
        post("/v1/fim/completions", FIM).statusCode(200)
                .header("X-Request-Id", notNullValue())
                .body("model", equalTo("codestral-2508"))
                .body("choices[0].message.content", equalTo("Echo: def add(a, b):"))
                .body("usage.prompt_tokens", equalTo(6));
        JsonPath sent = Simulator.lastRequest("fim");
        assertEquals("return c", sent.getString("suffix"));
        assertEquals(1024, sent.getInt("max_tokens"), "the gateway's default max_tokens");
        assertEquals(before + 6, Metrics.value("mistral_tokens_total", "model=\"codestral-2508\"", "type=\"prompt\""));
        assertEquals(requests + 1, Metrics.value("mistral_requests_total", "endpoint=\"fim\"", "status=\"200\""));
    }

    @Test
    void fimStreamsEventsAndBooksTheFinalChunksUsage() {
        double before = Metrics.value("mistral_tokens_total", "model=\"codestral-2508\"", "type=\"completion\"");
        String body = given().contentType(ContentType.JSON).body(streamed(FIM)).post("/v1/fim/completions")
                .then().statusCode(200).contentType(containsString("text/event-stream")).extract().asString();
        List<String> events = SseEvents.data(body);
        assertEquals("[DONE]", events.get(events.size() - 1));
        assertEquals("chat.completion.chunk", new JsonPath(events.get(0)).getString("object"));
        assertEquals(1, Simulator.count("fim_stream"));
        assertTrue(Metrics.value("mistral_tokens_total", "model=\"codestral-2508\"", "type=\"completion\"") > before);
    }

    @Test
    void refusesFimRequestsTheGatewayWillNotSendWithoutCallingMistral() {
        post("/v1/fim/completions", "{\"model\":\"codestral-2508\"}").statusCode(400)
                .body("error.message", equalTo("'prompt' is required on /v1/fim/completions"));
        post("/v1/fim/completions", "{\"model\":\"mistral-small-2506\",\"prompt\":\"x\"}").statusCode(400)
                .body("error.message", containsString("does not support fill-in-the-middle completions"))
                .body("error.message", containsString("[codestral-2508]"));
        post("/v1/fim/completions", "{\"prompt\":\"x\"}").statusCode(400)
                .body("error.message", containsString("'model' is required"));
        post("/v1/fim/completions", "{\"model\":\"codestral-latest\",\"prompt\":\"x\"}").statusCode(400)
                .body("error.message", containsString("-latest alias"));
        post("/v1/fim/completions", "{\"model\":\"codestral-2508\",\"prompt\":\"x\",\"max_tokens\":100000}").statusCode(400)
                .body("error.message", containsString("gateway's cap of 1024"));
        post("/v1/fim/completions", "{\"model\":\"codestral-2508\",\"prompt\":\"x\",\"stream\":\"yes\"}").statusCode(400);
        assertEquals(0, Simulator.upstreamCalls());
    }

    @Test
    void agentsAnswerPlainAndStreamedAndBookSpendAtTheAnsweringModel() {
        double before = Metrics.value("mistral_tokens_total", "model=\"mistral-small-2506\"", "type=\"prompt\"");
        post("/v1/agents/completions", AGENTS).statusCode(200)
                .body("choices[0].message.content", equalTo("Echo: hi there"))
                .body("model", equalTo("mistral-small-2506"));
        assertEquals("ag:sim:1", Simulator.lastRequest("agents").getString("agent_id"));
        assertEquals(1024, Simulator.lastRequest("agents").getInt("max_tokens"));
        String body = given().contentType(ContentType.JSON).body(streamed(AGENTS)).post("/v1/agents/completions")
                .then().statusCode(200).extract().asString();
        assertEquals("[DONE]", SseEvents.data(body).get(SseEvents.data(body).size() - 1));
        assertEquals(1, Simulator.count("agents_stream"));
        assertTrue(Metrics.value("mistral_tokens_total", "model=\"mistral-small-2506\"", "type=\"prompt\"") > before);
    }

    @Test
    void refusesAgentCallsWithoutAnAgent() {
        post("/v1/agents/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode(400)
                .body("error.message", equalTo("'agent_id' is required on /v1/agents/completions"));
        assertEquals(0, Simulator.upstreamCalls());
    }

    @Test
    void moderatesTextAndConversationsAndBooksTheirTokens() {
        double before = Metrics.value("mistral_tokens_total", "model=\"mistral-moderation-2411\"", "type=\"prompt\"");
        post("/v1/moderations", MODERATION).statusCode(200)
                .body("results", hasSize(2))
                .body("results[0].categories.violence_and_threats", equalTo(true))
                .body("results[1].categories.violence_and_threats", equalTo(false))
                .body("results[0].category_scores.pii", notNullValue());
        post("/v1/chat/moderations", CHAT_MODERATION).statusCode(200)
                .body("results", hasSize(1))
                .body("model", equalTo("mistral-moderation-2411"));
        assertTrue(Metrics.value("mistral_tokens_total", "model=\"mistral-moderation-2411\"", "type=\"prompt\"") > before);
        post("/v1/moderations", "{\"model\":\"mistral-small-2506\",\"input\":\"x\"}").statusCode(400)
                .body("error.message", containsString("does not support moderation"));
        post("/v1/moderations", "{\"model\":\"mistral-moderation-2411\",\"input\":\"x\",\"stream\":true}").statusCode(400)
                .body("error.message", containsString("does not stream"));
    }

    @Test
    void classifiesTextAndConversations() {
        post("/v1/classifications", CLASSIFICATION).statusCode(200)
                .body("results", hasSize(2))
                .body("results[1].sentiment.scores.negative", equalTo(0.9f));
        post("/v1/chat/classifications", CHAT_CLASSIFICATION).statusCode(200)
                .body("results[0].sentiment.scores.negative", equalTo(0.9f));
        post("/v1/classifications", "{\"model\":\"mistral-moderation-2411\"}").statusCode(400)
                .body("error.message", containsString("'input' is required"));
    }

    @Test
    void readsDocumentsAndBooksSpendByThePage() {
        double before = Metrics.value("mistral_spend_usd_total", "model=\"mistral-ocr-2505\"");
        post("/v1/ocr", OCR).statusCode(200)
                .body("pages[0].markdown", containsString("invoice.pdf"))
                .body("usage_info.pages_processed", equalTo(1));
        assertEquals(before + 0.001, Metrics.value("mistral_spend_usd_total", "model=\"mistral-ocr-2505\""), 1e-9);
        post("/v1/ocr", "{\"model\":\"mistral-small-2506\",\"document\":{}}").statusCode(400)
                .body("error.message", containsString("does not support OCR"));
    }

    /** Each endpoint: name (as the simulator and metrics know it), path, a body Mistral accepts. */
    static Stream<Arguments> endpoints() {
        return Stream.of(
                Arguments.of("fim", "/v1/fim/completions", FIM),
                Arguments.of("agents", "/v1/agents/completions", AGENTS),
                Arguments.of("moderations", "/v1/moderations", MODERATION),
                Arguments.of("chat_moderations", "/v1/chat/moderations", CHAT_MODERATION),
                Arguments.of("classifications", "/v1/classifications", CLASSIFICATION),
                Arguments.of("chat_classifications", "/v1/chat/classifications", CHAT_CLASSIFICATION),
                Arguments.of("ocr", "/v1/ocr", OCR));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void everyEndpointRetriesA429AndAnswersPersistent5xxThroughTheGuard(String name, String path, String body) {
        Simulator.inject(Fault.status(429).retryAfter(0).endpoint(name));
        post(path, body).statusCode(200);
        assertEquals(2, Simulator.count(name), "retried once");
        Simulator.inject(Fault.status(503).times(-1).endpoint(name));
        post(path, body).statusCode(502)
                .header("X-Request-Id", notNullValue())
                .body("error.type", equalTo("upstream_error"));
        assertTrue(Simulator.count(name) > 3, "retried within the budget");
        assertTrue(Metrics.value("mistral_requests_total", "endpoint=\"" + name + "\"", "status=\"502\"") >= 1,
                "counted under its own endpoint label");
    }

    @Test
    void retriesMistrals429ThroughTheGuard() {
        Simulator.inject(Fault.status(429).retryAfter(0).endpoint("moderations"));
        post("/v1/moderations", MODERATION).statusCode(200);
        assertEquals(2, Simulator.count("moderations"));
        Simulator.inject(Fault.status(503).endpoint("fim"));
        post("/v1/fim/completions", streamed(FIM)).statusCode(200);
        assertEquals(2, Simulator.count("fim_stream"));
    }

    @Test
    void answersMistralsPersistentFailuresInTheGatewaysErrorShape() {
        Simulator.inject(Fault.status(500).times(-1).endpoint("ocr"));
        post("/v1/ocr", OCR).statusCode(502)
                .body("error.type", equalTo("upstream_error"))
                .body("error.message", containsString("HTTP 500"));
        Simulator.inject(Fault.status(429).retryAfter(30).endpoint("agents"));
        post("/v1/agents/completions", streamed(AGENTS)).statusCode(429)
                .header("Retry-After", "30")
                .body("error.type", equalTo("rate_limit_error"));
    }

    @Test
    void answersOtherMethodsWith405AndAllow() {
        given().get("/v1/ocr").then().statusCode(405)
                .header("Allow", "POST")
                .header("X-Request-Id", notNullValue())
                .body("error.type", equalTo("method_not_allowed"));
    }
}
