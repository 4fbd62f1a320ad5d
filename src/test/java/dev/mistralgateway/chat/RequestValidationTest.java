package dev.mistralgateway.chat;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Every refusal is a 4xx JSON error that names the problem, and Mistral is never called. */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
class RequestValidationTest {

    private static final String USER = "{\"role\":\"user\",\"content\":\"hi\"}";

    @TestHTTPResource("/api/chat")
    URL chat;

    @BeforeEach
    void resetSimulator() {
        Simulator.reset();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', textBlock = """
            malformed JSON           | {"messages":[}                                                        | not valid JSON at line 1
            not an object            | [1,2,3]                                                                | must be a JSON object
            missing messages         | {"model":"mistral-small-2506"}                                         | 'messages' is required
            empty messages           | {"messages":[]}                                                        | 'messages' must be a non-empty array
            messages not an array    | {"messages":"hi"}                                                      | 'messages' must be a non-empty array
            message not an object    | {"messages":["hi"]}                                                    | messages[0] must be an object
            unknown role             | {"messages":[{"role":"wizard","content":"hi"}]}                        | messages[0].role must be one of
            missing role             | {"messages":[{"content":"hi"}]}                                        | messages[0].role must be one of
            missing content          | {"messages":[{"role":"user"}]}                                         | messages[0].content is required
            null content             | {"messages":[{"role":"user","content":null}]}                          | messages[0].content is required
            content of wrong type    | {"messages":[{"role":"user","content":42}]}                            | messages[0].content must be a string
            model not allowed        | {"model":"gpt-4o","messages":[USER]}                                   | Model 'gpt-4o' is not allowed
            model not a string       | {"model":7,"messages":[USER]}                                          | 'model' must be a non-empty string
            latest alias             | {"model":"mistral-large-latest","messages":[USER]}                     | is a -latest alias
            max_tokens over the cap  | {"max_tokens":1025,"messages":[USER]}                                  | gateway's cap of 1024
            max_tokens zero          | {"max_tokens":0,"messages":[USER]}                                     | between 1 and the gateway's cap of 1024
            max_tokens negative      | {"max_tokens":-5,"messages":[USER]}                                    | between 1 and the gateway's cap of 1024
            max_tokens fractional    | {"max_tokens":10.5,"messages":[USER]}                                  | 'max_tokens' must be an integer
            max_tokens as text       | {"max_tokens":"10","messages":[USER]}                                  | 'max_tokens' must be an integer
            temperature too high     | {"temperature":2,"messages":[USER]}                                    | 'temperature' must be a number between 0 and 1.5
            temperature negative     | {"temperature":-0.1,"messages":[USER]}                                 | 'temperature' must be a number between 0 and 1.5
            temperature as text      | {"temperature":"hot","messages":[USER]}                                | 'temperature' must be a number
            unknown preset           | {"preset":"spicy","messages":[USER]}                                   | 'preset' must be one of
            preset and temperature   | {"preset":"creative","temperature":0.2,"messages":[USER]}              | either 'temperature' or 'preset'
            stream not a boolean     | {"stream":"yes","messages":[USER]}                                     | 'stream' must be true or false
            """)
    void refusesInvalidChatRequestWithoutCallingMistral(String name, String body, String expectedMessage) {
        for (String path : new String[] { "/api/chat", "/v1/chat/completions" }) {
            given().contentType(ContentType.JSON).body(body.replace("USER", USER))
                    .post(path)
                    .then().statusCode(400)
                    .contentType(ContentType.JSON)
                    .body("error.type", equalTo("invalid_request_error"))
                    .body("error.message", containsString(expectedMessage));
        }
        assertEquals(0, Simulator.upstreamCalls(), "Mistral must not be called for: " + name);
    }

    @Test
    void refusesBodiesOverTheSizeLimitWith413() {
        String huge = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(1_100_000) + "\"}]}";
        given().contentType(ContentType.JSON).body(huge)
                .post("/api/chat")
                .then().statusCode(413)
                .contentType(ContentType.JSON)
                .body("error.type", equalTo("request_too_large"));
        assertEquals(0, Simulator.upstreamCalls());
    }

    @Test
    void refusesChunkedBodiesOverTheSizeLimitWith413() throws Exception {
        // No Content-Length, so the limit can only be enforced while the body is read.
        String huge = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(1_100_000) + "\"}]}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(chat.toString()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(huge.getBytes(StandardCharsets.UTF_8))))
                .build();
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(413, response.statusCode());
        assertTrue(response.body().contains("\"request_too_large\""), response.body());
        assertEquals(0, Simulator.upstreamCalls());
    }

    @Test
    void refusesOtherMethodsThanPostWith405() {
        for (String path : new String[] { "/api/chat", "/v1/chat/completions" }) {
            given().get(path)
                    .then().statusCode(405)
                    .header("Allow", "POST")
                    .contentType(ContentType.JSON)
                    .body("error.type", equalTo("method_not_allowed"));
        }
    }

    @Test
    void acceptsJsonMediaTypeWithCharset() {
        given().contentType("application/json; charset=UTF-8").body("{\"messages\":[" + USER + "]}")
                .post("/v1/chat/completions")
                .then().statusCode(200)
                .header("Content-Length", notNullValue())
                .body("choices[0].message.content", containsString("hi"));
    }

    @Test
    void refusesNonJsonContentTypeWith415() {
        given().contentType(ContentType.TEXT).body("hello")
                .post("/api/chat")
                .then().statusCode(415)
                .contentType(ContentType.JSON)
                .body("error.message", containsString("application/json"));
        assertEquals(0, Simulator.upstreamCalls());
    }

    @Test
    void refusesEmptyBody() {
        given().contentType(ContentType.JSON).body("")
                .post("/api/chat")
                .then().statusCode(400)
                .body("error.message", containsString("empty"));
        assertEquals(0, Simulator.upstreamCalls());
    }

    @Test
    void refusesLatestAliasByDefault() {
        // mistral.allow-latest-aliases is false in the test profile: the refusal explains how to pin a model.
        given().contentType(ContentType.JSON)
                .body("{\"model\":\"mistral-small-latest\",\"messages\":[" + USER + "]}")
                .post("/api/chat")
                .then().statusCode(400)
                .body("error.message", containsString("name a pinned model"));
    }
}
