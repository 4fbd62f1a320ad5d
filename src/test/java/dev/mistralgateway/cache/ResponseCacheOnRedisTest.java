package dev.mistralgateway.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;

import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.mistralgateway.testing.AuthProfile;
import dev.mistralgateway.testing.RedisResource;
import dev.mistralgateway.testing.RedisServer;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@link ResponseCacheTest}'s behaviour, unchanged, with answers also kept on Redis for the fleet; and an answer another
 * pod cached (on Redis only, not in this pod's memory) is served from there.
 */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(ResponseCacheOnRedisTest.OnRedis.class)
@ExtendWith(RedisServer.Required.class)
@Typed(ResponseCacheOnRedisTest.class)
class ResponseCacheOnRedisTest extends ResponseCacheTest {

    public static class OnRedis extends ResponseCacheTest.CacheForTeamB {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RedisResource.class));
        }
    }

    @Inject
    RedisDataSource redis;

    @Test
    void anAnswerAnotherPodCachedIsServedFromRedis() throws Exception {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"asked on another pod\"}],\"temperature\":0}";
        // What this gateway sends Mistral for that body, as the validator completes it.
        ObjectNode upstream = (ObjectNode) new ObjectMapper().readTree("{\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"asked on another pod\"}],\"temperature\":0.0,\"model\":\"mistral-small-2506\",\"max_tokens\":1024,"
                + "\"stream\":false}");
        String key = CacheDecision.key("chat", "team-a", upstream);
        String answer = "{\"id\":\"from-another-pod\",\"object\":\"chat.completion\",\"created\":1,"
                + "\"model\":\"mistral-small-2506\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"cached elsewhere\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}";
        redis.value(byte[].class).psetex("mistral-gateway:cache:" + key, Duration.ofMinutes(1).toMillis(),
                answer.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String served = io.restassured.RestAssured.given()
                .header("Authorization", "Bearer " + AuthProfile.TEAM_A_KEY)
                .header(CacheDecision.HEADER, CacheDecision.USE)
                .contentType(io.restassured.http.ContentType.JSON).body(body)
                .post("/v1/chat/completions")
                .then().statusCode(200).header(CacheDecision.HEADER, CacheDecision.HIT)
                .extract().asString();
        assertEquals(answer, served);
        assertEquals(0, Simulator.count("chat"));
    }
}
