package dev.mistralgateway.chat;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import dev.mistralgateway.testing.SseEvents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

@QuarkusTest
@WithTestResource(SimulatorResource.class)
class ChatApiTest {

    static final String PING = "{\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}";

    @BeforeEach
    void resetSimulator() {
        Simulator.reset();
    }

    @ParameterizedTest
    @ValueSource(strings = { "/api/chat", "/v1/chat/completions" })
    void answersWithMistralsChatCompletion(String path) {
        given().contentType(ContentType.JSON).body(PING)
                .post(path)
                .then().statusCode(200)
                .contentType(ContentType.JSON)
                .body("object", equalTo("chat.completion"))
                .body("choices[0].message.role", equalTo("assistant"))
                .body("choices[0].message.content", equalTo("Echo: ping"))
                .body("choices[0].finish_reason", equalTo("stop"))
                .body("usage.prompt_tokens", greaterThan(0))
                .body("usage.completion_tokens", greaterThan(0));
        assertEquals(1, Simulator.count("chat"));
    }

    @Test
    void appliesDefaultModelMaxTokensAndTemperature() {
        given().contentType(ContentType.JSON).body(PING).post("/api/chat").then().statusCode(200)
                .body("model", equalTo("mistral-small-2506"));
        JsonPath sent = Simulator.lastRequest("chat");
        assertEquals("mistral-small-2506", sent.getString("model"));
        assertEquals(1024, sent.getInt("max_tokens"));
        assertEquals(0.3, sent.getDouble("temperature"), 1e-9);
        assertFalse(sent.getBoolean("stream"));
    }

    @Test
    void keepsTheClientsModelMaxTokensAndTemperature() {
        given().contentType(ContentType.JSON)
                .body("{\"model\":\"mistral-large-2411\",\"max_tokens\":3,\"temperature\":1.2,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"one two three four five six\"}]}")
                .post("/api/chat").then().statusCode(200)
                .body("choices[0].finish_reason", equalTo("length"))
                .body("usage.completion_tokens", equalTo(3));
        JsonPath sent = Simulator.lastRequest("chat");
        assertEquals("mistral-large-2411", sent.getString("model"));
        assertEquals(3, sent.getInt("max_tokens"));
        assertEquals(1.2, sent.getDouble("temperature"), 1e-9);
    }

    @ParameterizedTest
    @ValueSource(strings = { "deterministic:0.0", "creative:0.7" })
    void presetSelectsItsTemperatureAndIsNotSentToMistral(String presetAndTemperature) {
        String[] parts = presetAndTemperature.split(":");
        given().contentType(ContentType.JSON)
                .body("{\"preset\":\"" + parts[0] + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/api/chat").then().statusCode(200);
        JsonPath sent = Simulator.lastRequest("chat");
        assertEquals(Double.parseDouble(parts[1]), sent.getDouble("temperature"), 1e-9);
        assertNull(sent.get("preset"), "preset is a gateway field, not sent to Mistral");
    }

    @Test
    void passesFieldsItDoesNotInterpretToMistralUnchanged() {
        String body = """
                {"messages":[{"role":"user","content":"weather?"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
                 "tool_choice":"auto","response_format":{"type":"json_object"},"random_seed":42,"safe_prompt":true,
                 "stop":["END"],"top_p":0.9,"presence_penalty":0.1,"n":1}""";
        given().contentType(ContentType.JSON).body(body).post("/v1/chat/completions").then().statusCode(200);
        JsonPath sent = Simulator.lastRequest("chat");
        assertEquals("get_weather", sent.getString("tools[0].function.name"));
        assertEquals("string", sent.getString("tools[0].function.parameters.properties.city.type"));
        assertEquals("auto", sent.getString("tool_choice"));
        assertEquals("json_object", sent.getString("response_format.type"));
        assertEquals(42, sent.getInt("random_seed"));
        assertTrue(sent.getBoolean("safe_prompt"));
        assertEquals(List.of("END"), sent.getList("stop"));
        assertEquals(0.9, sent.getDouble("top_p"), 1e-9);
        assertEquals(0.1, sent.getDouble("presence_penalty"), 1e-9);
        assertEquals(1, sent.getInt("n"));
    }

    @Test
    void relaysResponseFieldsItDoesNotInterpret() {
        Map<String, Object> message = given().contentType(ContentType.JSON).body(PING).post("/api/chat")
                .then().statusCode(200)
                .body("id", startsWith("cmpl-sim-"))
                .body("created", notNullValue())
                .extract().jsonPath().getMap("choices[0].message");
        assertTrue(message.containsKey("tool_calls"), "null fields from Mistral are relayed too: " + message);
    }

    @Test
    void acceptsAssistantToolCallsWithoutContent() {
        String body = """
                {"messages":[{"role":"user","content":"weather in Paris?"},
                 {"role":"assistant","content":null,"tool_calls":[{"id":"call1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
                 {"role":"tool","content":"sunny","tool_call_id":"call1"}]}""";
        given().contentType(ContentType.JSON).body(body).post("/v1/chat/completions").then().statusCode(200);
    }

    @Test
    void streamsChunksInOrderAndEndsWithDone() {
        Response response = given().contentType(ContentType.JSON)
                .body("{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"one two three\"}]}")
                .post("/v1/chat/completions");
        assertEquals(200, response.statusCode());
        assertTrue(response.contentType().startsWith("text/event-stream"), response.contentType());
        List<String> events = SseEvents.data(response.asString());
        assertEquals("[DONE]", events.get(events.size() - 1));
        List<JsonPath> chunks = events.subList(0, events.size() - 1).stream().map(JsonPath::new).toList();
        assertEquals("assistant", chunks.get(0).getString("choices[0].delta.role"));
        StringBuilder content = new StringBuilder();
        chunks.forEach(chunk -> content.append(chunk.getString("choices[0].delta.content")));
        assertEquals("Echo: one two three", content.toString());
        JsonPath last = chunks.get(chunks.size() - 1);
        assertEquals("stop", last.getString("choices[0].finish_reason"));
        assertTrue(last.getInt("usage.total_tokens") > 0, "usage arrives in the final chunk");
        assertEquals(1, Simulator.count("stream"));
        assertEquals(1, Simulator.count("streams_completed"));
    }

    @Test
    void streamingOnApiChatWorksToo() {
        String body = given().contentType(ContentType.JSON)
                .body("{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}")
                .post("/api/chat").then().statusCode(200).extract().asString();
        assertEquals("[DONE]", SseEvents.data(body).get(SseEvents.data(body).size() - 1));
    }
}
