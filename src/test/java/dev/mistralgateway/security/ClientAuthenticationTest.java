package dev.mistralgateway.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.mistralgateway.testing.AuthProfile;
import dev.mistralgateway.testing.LogCapture;
import dev.mistralgateway.testing.Management;
import dev.mistralgateway.testing.Metrics;
import dev.mistralgateway.testing.MultipartForm;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/** Only callers with a gateway key reach Mistral; their key never does; probes and scrapers need none. */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(AuthProfile.class)
class ClientAuthenticationTest {

    private static final String PING = "{\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}";

    @TestHTTPResource("/v1")
    URL v1;

    @BeforeEach
    void resetSimulator() {
        Simulator.reset();
    }

    @Test
    void missingKeyGets401WithoutCallingMistral() {
        given().contentType(ContentType.JSON).body(PING).post("/api/chat")
                .then().statusCode(401)
                .contentType(ContentType.JSON)
                .header("WWW-Authenticate", "Bearer")
                .body("error.type", equalTo("authentication_error"))
                .body("error.message", equalTo("Missing API key: send 'Authorization: Bearer <gateway key>'"));
        given().contentType(ContentType.JSON).body("{\"input\":\"x\"}").post("/v1/embeddings").then().statusCode(401);
        assertEquals(0, Simulator.upstreamCalls());
    }

    @Test
    void wrongKeyOrSchemeGets401() {
        for (String header : List.of("Bearer " + AuthProfile.TEAM_A_KEY + "x", "Basic " + AuthProfile.TEAM_A_KEY,
                "Bearer " + AuthProfile.TEAM_B_HASH, AuthProfile.TEAM_A_KEY)) {
            given().header("Authorization", header).contentType(ContentType.JSON).body(PING).post("/api/chat")
                    .then().statusCode(401).body("error.type", equalTo("authentication_error"));
        }
        assertEquals(0, Simulator.upstreamCalls());
    }

    @Test
    void validKeysWorkAndNeverReachMistralNorDoClientHeaders() {
        given().header("Authorization", "Bearer " + AuthProfile.TEAM_A_KEY)
                .header("Cookie", "session=abc").header("X-Forwarded-For", "10.0.0.1").header("X-Custom", "y")
                .contentType(ContentType.JSON).body(PING).post("/api/chat")
                .then().statusCode(200).body("choices[0].message.content", equalTo("Echo: ping"));
        given().header("Authorization", "bearer " + AuthProfile.TEAM_B_KEY)
                .contentType(ContentType.JSON).body(PING).post("/v1/chat/completions").then().statusCode(200);
        Map<String, String> all = Simulator.lastHeaders("chat");
        assertEquals("expected", all.get("authorization"), "Mistral sees the gateway's own key");
        for (String forbidden : List.of("cookie", "x-forwarded-for", "x-custom")) {
            assertFalse(all.containsKey(forbidden), forbidden + " is not forwarded: " + all.keySet());
        }
        assertFalse(all.toString().contains(AuthProfile.TEAM_B_KEY), "the client key never reaches Mistral");
        assertEquals(Map.of(), Map.copyOf(all).entrySet().stream()
                .filter(h -> !List.of("authorization", "content-type", "content-length", "accept", "host", "user-agent",
                        "traceparent", "tracestate").contains(h.getKey()))
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)),
                "only the gateway's own headers reach Mistral");
    }

    @Test
    void audioUploadsNeedAKeyAndReachMistralWithTheGatewaysOwn() {
        byte[] form = MultipartForm.form().field("model", "voxtral-mini-2507")
                .file("file", "a.wav", MultipartForm.audio(40_000)).bytes();
        given().contentType(MultipartForm.contentType()).body(form).post("/v1/audio/transcriptions")
                .then().statusCode(401).header("WWW-Authenticate", "Bearer")
                .body("error.type", equalTo("authentication_error"));
        assertEquals(0, Simulator.upstreamCalls(), "no byte of a keyless upload reaches Mistral");
        given().header("Authorization", "Bearer " + AuthProfile.TEAM_A_KEY).contentType(MultipartForm.contentType())
                .body(form).post("/v1/audio/transcriptions")
                .then().statusCode(200).body("text", equalTo("Simulated transcription of a.wav (40000 bytes)"));
        Map<String, String> headers = Simulator.lastHeaders("transcriptions");
        assertEquals("expected", headers.get("authorization"), "Mistral sees the gateway's own key");
        assertFalse(headers.toString().contains(AuthProfile.TEAM_A_KEY), "the client key never reaches Mistral");
    }

    @Test
    void keyNameIdentifiesTheCallerInMetricsAndLogsNeverTheKey() {
        double before = Metrics.value("mistral_requests_total", "key=\"team-a\"", "status=\"200\"");
        try (LogCapture logs = LogCapture.start()) {
            given().header("Authorization", "Bearer " + AuthProfile.TEAM_A_KEY).contentType(ContentType.JSON).body(PING)
                    .post("/api/chat").then().statusCode(200);
            given().header("Authorization", "Bearer wrong-key-000000000000").contentType(ContentType.JSON).body(PING)
                    .post("/api/chat").then().statusCode(401);
            assertTrue(logs.lines().stream().anyMatch(line -> line.contains("key=team-a")), "access log names the key");
            for (String line : logs.lines()) {
                assertFalse(line.contains(AuthProfile.TEAM_A_KEY) || line.contains("wrong-key-000000000000"), line);
            }
        }
        assertEquals(1, Metrics.value("mistral_requests_total", "key=\"team-a\"", "status=\"200\"") - before);
        assertTrue(Metrics.value("mistral_errors_total", "reason=\"unauthenticated\"", "status=\"401\"") >= 1);
        assertFalse(Metrics.scrape().contains(AuthProfile.TEAM_A_KEY));
    }

    @Test
    void healthAndMetricsNeedNoKeyAndLeakNoSecret() {
        for (String path : List.of("/health", "/q/health/ready", "/q/health/live", "/q/health", "/q/metrics")) {
            // /health on the API port; the probes and metrics on the management port.
            String body = (path.startsWith("/q/") ? Management.given() : given()).get(path)
                    .then().statusCode(200).extract().asString();
            for (String secret : List.of(AuthProfile.TEAM_A_KEY, AuthProfile.TEAM_B_KEY, Simulator.gatewayMistralKey())) {
                assertFalse(body.contains(secret), path + " leaks a key");
            }
        }
    }

    @Test
    void openAiSdkWorksWithTheGatewayKeyAsItsApiKey() {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(v1.toString()).apiKey(AuthProfile.TEAM_A_KEY)
                .modelName("mistral-small-2506").build();
        assertEquals("Echo: sdk", model.chat("sdk"));
        OpenAiChatModel wrong = OpenAiChatModel.builder().baseUrl(v1.toString()).apiKey("not-a-gateway-key-0000")
                .modelName("mistral-small-2506").maxRetries(0).build();
        RuntimeException refused = assertThrows(RuntimeException.class, () -> wrong.chat("sdk"));
        assertTrue(String.valueOf(refused.getMessage()).contains("Invalid API key"), String.valueOf(refused.getMessage()));
    }
}
