package dev.mistralgateway.cache;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.testing.AuthProfile;
import dev.mistralgateway.testing.Metrics;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import dev.mistralgateway.testing.SseEvents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * The exact-match response cache: a repeated deterministic request is served once by Mistral, plain or streamed, for
 * chat, FIM and embeddings; what is not deterministic, or not asked for, never comes from the cache; keys never share
 * answers; hits book no spend and count what they saved.
 */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(ResponseCacheTest.CacheForTeamB.class)
class ResponseCacheTest {

    /** Two client keys; team-b's deterministic requests use the cache without the header. */
    public static class CacheForTeamB extends AuthProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("gateway.cache.keys", "team-b");
            return config;
        }
    }

    private static int serial;
    private String question;

    @BeforeEach
    void freshQuestion() {
        Simulator.reset();
        // Each test asks its own question, so that no answer cached by another test serves it.
        question = "question " + (++serial) + " " + System.nanoTime();
    }

    private String chat(String temperature, boolean stream) {
        return "{\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}],\"temperature\":" + temperature
                + (stream ? ",\"stream\":true" : "") + "}";
    }

    private static RequestSpecification as(String key) {
        return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON);
    }

    private static RequestSpecification asking(String key) {
        return as(key).header(CacheDecision.HEADER, CacheDecision.USE);
    }

    @Test
    void aRepeatedDeterministicRequestIsServedOnceByMistral() {
        Response first = asking(AuthProfile.TEAM_A_KEY).body(chat("0", false)).post("/v1/chat/completions");
        first.then().statusCode(200).header(CacheDecision.HEADER, CacheDecision.MISS);
        double spentBefore = Metrics.value("mistral_spend_usd_total");
        Response second = asking(AuthProfile.TEAM_A_KEY).body(chat("0", false)).post("/v1/chat/completions");
        second.then().statusCode(200).header(CacheDecision.HEADER, CacheDecision.HIT)
                .contentType(ContentType.JSON)
                .header("Content-Length", String.valueOf(first.asByteArray().length));
        assertEquals(first.asString(), second.asString(), "a hit answers Mistral's bytes as they were");
        assertEquals(1, Simulator.count("chat"));
        assertEquals(spentBefore, Metrics.value("mistral_spend_usd_total"), 1e-12, "a hit books no spend");
        assertTrue(Metrics.value("mistral_cache_hits_total", "endpoint=\"chat\"") >= 1);
        assertTrue(Metrics.value("mistral_cache_saved_usd_total", "endpoint=\"chat\"") > 0,
                "the hit counts what it would have cost");
    }

    @Test
    void aRequestThatIsNotDeterministicNeverComesFromTheCache() {
        for (int i = 0; i < 2; i++) {
            asking(AuthProfile.TEAM_A_KEY).body(chat("0.7", false)).post("/api/chat")
                    .then().statusCode(200).header(CacheDecision.HEADER, CacheDecision.SKIP);
        }
        assertEquals(2, Simulator.count("chat"));
    }

    @Test
    void aRequestThatDoesNotAskIsNeitherServedNorStored() {
        as(AuthProfile.TEAM_A_KEY).body(chat("0", false)).post("/api/chat").then().statusCode(200);
        Response asked = asking(AuthProfile.TEAM_A_KEY).body(chat("0", false)).post("/api/chat");
        asked.then().statusCode(200).header(CacheDecision.HEADER, CacheDecision.MISS);
        Response notAsked = as(AuthProfile.TEAM_A_KEY).body(chat("0", false)).post("/api/chat");
        assertNull(notAsked.header(CacheDecision.HEADER));
        assertEquals(3, Simulator.count("chat"));
    }

    @Test
    void aSeedMakesARequestDeterministic() {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}],\"random_seed\":7}";
        asking(AuthProfile.TEAM_A_KEY).body(body).post("/api/chat").then().statusCode(200);
        asking(AuthProfile.TEAM_A_KEY).body(body).post("/api/chat").then().statusCode(200)
                .header(CacheDecision.HEADER, CacheDecision.HIT);
        assertEquals(1, Simulator.count("chat"));
    }

    @Test
    void aStreamReplaysACachedAnswerWithUsageAndDone() {
        JsonPath plain = asking(AuthProfile.TEAM_A_KEY).body(chat("0", false)).post("/v1/chat/completions")
                .then().statusCode(200).extract().jsonPath();
        Response streamed = asking(AuthProfile.TEAM_A_KEY).body(chat("0", true)).post("/v1/chat/completions");
        streamed.then().statusCode(200).header(CacheDecision.HEADER, CacheDecision.HIT)
                .contentType(startsWith("text/event-stream"));
        List<String> events = SseEvents.data(streamed.asString());
        assertEquals("[DONE]", events.get(events.size() - 1));
        StringBuilder content = new StringBuilder();
        JsonPath last = null;
        for (String event : events.subList(0, events.size() - 1)) {
            JsonPath chunk = JsonPath.from(event);
            assertEquals("chat.completion.chunk", chunk.getString("object"));
            content.append(chunk.getString("choices[0].delta.content"));
            last = chunk;
        }
        assertEquals(plain.getString("choices[0].message.content"), content.toString());
        assertEquals("stop", last.getString("choices[0].finish_reason"));
        assertEquals(plain.getInt("usage.total_tokens"), last.getInt("usage.total_tokens"));
        assertEquals(1, Simulator.upstreamCalls(), "the stream was served from the cache");
    }

    @Test
    void aStreamThatMissedIsStoredAsThePlainAnswerItAddsUpTo() {
        Response streamed = asking(AuthProfile.TEAM_A_KEY).body(chat("0", true)).post("/v1/chat/completions");
        streamed.then().statusCode(200).header(CacheDecision.HEADER, CacheDecision.MISS);
        StringBuilder content = new StringBuilder();
        for (String event : SseEvents.data(streamed.asString())) {
            if (!event.equals("[DONE]")) {
                String piece = JsonPath.from(event).getString("choices[0].delta.content");
                content.append(piece == null ? "" : piece);
            }
        }
        asking(AuthProfile.TEAM_A_KEY).body(chat("0", false)).post("/v1/chat/completions")
                .then().statusCode(200).header(CacheDecision.HEADER, CacheDecision.HIT)
                .body("object", equalTo("chat.completion"))
                .body("choices[0].message.content", equalTo(content.toString()));
        assertEquals(1, Simulator.upstreamCalls(), "one Mistral call: the stream");
    }

    @Test
    void keysNeverShareAnswers() {
        asking(AuthProfile.TEAM_A_KEY).body(chat("0", false)).post("/api/chat").then().statusCode(200);
        asking(AuthProfile.TEAM_B_KEY).body(chat("0", false)).post("/api/chat").then().statusCode(200)
                .header(CacheDecision.HEADER, CacheDecision.MISS);
        assertEquals(2, Simulator.count("chat"));
    }

    @Test
    void aConfiguredKeyUsesTheCacheWithoutTheHeaderAndCanBypassIt() {
        as(AuthProfile.TEAM_B_KEY).body(chat("0", false)).post("/api/chat").then().statusCode(200)
                .header(CacheDecision.HEADER, CacheDecision.MISS);
        as(AuthProfile.TEAM_B_KEY).body(chat("0", false)).post("/api/chat").then().statusCode(200)
                .header(CacheDecision.HEADER, CacheDecision.HIT);
        as(AuthProfile.TEAM_B_KEY).header(CacheDecision.HEADER, "bypass").body(chat("0", false)).post("/api/chat")
                .then().statusCode(200);
        assertEquals(2, Simulator.count("chat"));
    }

    @Test
    void toolsAreCachedOnlyWhenTheRequestAsks() {
        String tools = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}],\"temperature\":0,"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"send_mail\",\"parameters\":{}}}]}";
        for (int i = 0; i < 2; i++) {
            as(AuthProfile.TEAM_B_KEY).body(tools).post("/api/chat").then().statusCode(200)
                    .header(CacheDecision.HEADER, CacheDecision.SKIP);
        }
        asking(AuthProfile.TEAM_B_KEY).body(tools).post("/api/chat").then().statusCode(200)
                .header(CacheDecision.HEADER, CacheDecision.MISS);
        asking(AuthProfile.TEAM_B_KEY).body(tools).post("/api/chat").then().statusCode(200)
                .header(CacheDecision.HEADER, CacheDecision.HIT);
        assertEquals(3, Simulator.count("chat"));
    }

    @Test
    void embeddingsAndFimAreCachedToo() {
        String embed = "{\"input\":[\"" + question + "\"]}";
        asking(AuthProfile.TEAM_A_KEY).body(embed).post("/v1/embeddings").then().statusCode(200);
        asking(AuthProfile.TEAM_A_KEY).body(embed).post("/v1/embeddings").then().statusCode(200)
                .header(CacheDecision.HEADER, CacheDecision.HIT);
        assertEquals(1, Simulator.count("embeddings"));
        String fim = "{\"model\":\"codestral-2508\",\"prompt\":\"def " + serial + "(\",\"temperature\":0}";
        asking(AuthProfile.TEAM_A_KEY).body(fim).post("/v1/fim/completions").then().statusCode(200);
        asking(AuthProfile.TEAM_A_KEY).body(fim).post("/v1/fim/completions").then().statusCode(200)
                .header(CacheDecision.HEADER, CacheDecision.HIT);
        assertEquals(1, Simulator.count("fim"));
    }

    @Test
    void anUnknownCacheHeaderIsRefusedBeforeMistralIsCalled() {
        as(AuthProfile.TEAM_A_KEY).header(CacheDecision.HEADER, "always").body(chat("0", false)).post("/api/chat")
                .then().statusCode(400).body("error.message", equalTo("X-Gateway-Cache must be 'use' or 'bypass'"));
        assertEquals(0, Simulator.upstreamCalls());
    }

    private static org.hamcrest.Matcher<String> startsWith(String prefix) {
        return org.hamcrest.Matchers.startsWith(prefix);
    }
}
