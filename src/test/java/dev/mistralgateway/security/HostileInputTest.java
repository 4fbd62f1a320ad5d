package dev.mistralgateway.security;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mistralgateway.testing.Management;
import dev.mistralgateway.testing.AuthProfile;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * A catalogue of hostile or broken requests from an authenticated client: each gets a clear 4xx JSON error, Mistral
 * never sees any of them, and the gateway answers normally afterwards.
 */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(AuthProfile.class)
class HostileInputTest {

    private record Case(String name, String path, byte[] body, int status, String contains) {
    }

    private static final String USER = "{\"role\":\"user\",\"content\":\"hi\"}";

    private static Case json(String name, String body, int status, String contains) {
        return new Case(name, "/v1/chat/completions", body.getBytes(StandardCharsets.UTF_8), status, contains);
    }

    private static List<Case> catalogue() {
        List<Case> cases = new ArrayList<>();
        cases.add(json("truncated JSON", "{\"messages\":[", 400, "not valid JSON"));
        cases.add(json("JSON with a trailing garbage token", "{\"messages\":[" + USER + "]} xyz", 400, "not valid JSON"));
        cases.add(json("duplicate key", "{\"model\":\"mistral-small-2506\",\"model\":\"mistral-large-2411\",\"messages\":["
                + USER + "]}", 400, "not valid JSON"));
        cases.add(json("messages as an object", "{\"messages\":{\"role\":\"user\"}}", 400, "non-empty array"));
        cases.add(json("content as a number", "{\"messages\":[{\"role\":\"user\",\"content\":1}]}", 400, "content must be"));
        cases.add(json("role as an array", "{\"messages\":[{\"role\":[\"user\"],\"content\":\"x\"}]}", 400, "role must be"));
        cases.add(json("unknown field in a message", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\",\"evil\":1}]}",
                400, "unknown field 'evil'"));
        cases.add(json("negative max_tokens", "{\"max_tokens\":-1,\"messages\":[" + USER + "]}", 400, "max_tokens"));
        cases.add(json("float max_tokens", "{\"max_tokens\":1.5,\"messages\":[" + USER + "]}", 400, "must be an integer"));
        cases.add(json("huge max_tokens", "{\"max_tokens\":99999999999,\"messages\":[" + USER + "]}", 400, "must be an integer"));
        cases.add(json("n of 1000 (multiplies the max_tokens cap)", "{\"n\":1000,\"messages\":[" + USER + "]}", 400,
                "'n' times 'max_tokens'"));
        cases.add(json("n of 0", "{\"n\":0,\"messages\":[" + USER + "]}", 400, "'n' must be"));
        cases.add(json("NaN temperature", "{\"temperature\":NaN,\"messages\":[" + USER + "]}", 400, "not valid JSON"));
        cases.add(json("temperature as a string", "{\"temperature\":\"0.5\",\"messages\":[" + USER + "]}", 400, "temperature"));
        cases.add(json("path traversal in the model", "{\"model\":\"../../etc/passwd\",\"messages\":[" + USER + "]}",
                400, "is not allowed"));
        cases.add(json("CRLF in the model", "{\"model\":\"x\\r\\nSet-Cookie: a=b\",\"messages\":[" + USER + "]}",
                400, "is not allowed"));
        cases.add(json("10,000 messages", "{\"messages\":[" + String.join(",", java.util.Collections.nCopies(10_000, USER))
                + "]}", 400, "Too many messages"));
        cases.add(json("400,001 characters of content", "{\"messages\":[{\"role\":\"user\",\"content\":\""
                + "a".repeat(400_001) + "\"}]}", 400, "too long"));
        cases.add(json("a 2 MB string", "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "b".repeat(2_000_000) + "\"}]}",
                413, "larger than the gateway's limit"));
        cases.add(json("JSON nested 5,000 deep", "{\"messages\":[" + USER + "],\"x\":" + "[".repeat(5_000) + "]".repeat(5_000)
                + "}", 400, "not valid JSON"));
        ByteArrayOutputStream invalidUtf8 = new ByteArrayOutputStream();
        invalidUtf8.writeBytes("{\"messages\":[{\"role\":\"user\",\"content\":\"".getBytes(StandardCharsets.UTF_8));
        invalidUtf8.writeBytes(new byte[] { (byte) 0xC3, (byte) 0x28, (byte) 0xFF });
        invalidUtf8.writeBytes("\"}]}".getBytes(StandardCharsets.UTF_8));
        cases.add(new Case("invalid UTF-8", "/v1/chat/completions", invalidUtf8.toByteArray(), 400, "not valid JSON"));
        for (byte[] bytes : List.of(new byte[] { (byte) 0xC0, (byte) 0x80 }, new byte[] { (byte) 0xF4, (byte) 0x90,
                (byte) 0x80, (byte) 0x80 }, new byte[] { (byte) 0xED, (byte) 0xA0, (byte) 0x80 })) {
            // Well-formed to Jackson, which decoded them to U+0000 and lone surrogates, forwarded to Mistral.
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes("{\"messages\":[{\"role\":\"user\",\"content\":\"a".getBytes(StandardCharsets.UTF_8));
            body.writeBytes(bytes);
            body.writeBytes("b\"}]}".getBytes(StandardCharsets.UTF_8));
            cases.add(new Case("invalid UTF-8 " + java.util.HexFormat.ofDelimiter(" ").formatHex(bytes),
                    "/v1/chat/completions", body.toByteArray(), 400, "not valid UTF-8"));
        }
        // The same limits on every endpoint that takes messages or text (only chat applied them).
        String tenThousand = String.join(",", java.util.Collections.nCopies(10_000, USER));
        String big = "\"" + "a".repeat(500_000) + "\"";
        for (String[] each : new String[][] {
                { "/v1/agents/completions", "{\"agent_id\":\"ag\",\"messages\":[" + tenThousand + "]}", "Too many messages" },
                { "/v1/agents/completions", "{\"agent_id\":\"ag\",\"messages\":[{\"role\":\"user\",\"content\":" + big
                        + "}]}", "too long" },
                { "/v1/embeddings", "{\"model\":\"mistral-embed\",\"input\":" + big + "}", "too long" },
                { "/v1/embeddings", "{\"model\":\"mistral-embed\",\"input\":[" + String.join(",",
                        java.util.Collections.nCopies(10_000, "\"x\"")) + "]}", "Too many inputs" },
                { "/v1/fim/completions", "{\"model\":\"codestral-2508\",\"prompt\":" + big + "}", "too long" },
                { "/v1/moderations", "{\"model\":\"mistral-moderation-2411\",\"input\":" + big + "}", "too long" },
                { "/v1/chat/moderations", "{\"model\":\"mistral-moderation-2411\",\"input\":[[{\"role\":\"user\","
                        + "\"content\":" + big + "}]]}", "too long" },
                { "/v1/classifications", "{\"model\":\"mistral-moderation-2411\",\"input\":" + big + "}", "too long" },
                { "/v1/chat/classifications", "{\"model\":\"mistral-moderation-2411\",\"input\":[" + tenThousand
                        + "]}", "Too many inputs" } }) {
            cases.add(new Case(each[0] + ": " + each[2], each[0], each[1].getBytes(StandardCharsets.UTF_8), 400, each[2]));
        }
        cases.add(new Case("embeddings input as an object", "/v1/embeddings",
                "{\"input\":{\"text\":\"x\"}}".getBytes(StandardCharsets.UTF_8), 400, "'input' must be"));
        cases.add(new Case("empty body", "/api/chat", new byte[0], 400, "empty"));
        cases.add(json("a number beyond double range", "{\"temperature\":1e400,\"messages\":[" + USER + "]}", 400,
                "outside the range of a double"));
        cases.add(json("a number beyond double range where the gateway does not look", "{\"top_p\":-1e400,\"messages\":["
                + USER + "]}", 400, "outside the range of a double"));
        cases.add(new Case("an embeddings input beyond double range", "/v1/embeddings",
                "{\"input\":\"x\",\"output_dimension\":1e999}".getBytes(StandardCharsets.UTF_8), 400, "outside the range"));
        cases.add(json("a 900 KB image_url", "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                + "\"image_url\":\"data:image/png;base64," + "A".repeat(900_000) + "\"}]}]}", 400, "too long"));
        cases.add(json("400,001 characters spread over text and document chunks", "{\"messages\":[{\"role\":\"user\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"" + "a".repeat(200_000) + "\"},{\"type\":\"document_url\","
                + "\"document_url\":\"" + "d".repeat(200_001) + "\"}]}]}", 400, "too long"));
        return cases;
    }

    private static RequestSpecification client() {
        return given().header("Authorization", "Bearer " + AuthProfile.TEAM_A_KEY);
    }

    @Test
    void everyHostileRequestGetsAClear4xxAndNeverReachesMistral() {
        Simulator.reset();
        StringBuilder table = new StringBuilder("[hostile] case | status | error.type\n");
        List<Case> cases = catalogue();
        for (Case c : cases) {
            Response response = client().contentType(ContentType.JSON).body(c.body()).post(c.path());
            String body = response.asString();
            assertEquals(c.status(), response.statusCode(), c.name() + ": " + body);
            assertTrue(response.contentType().startsWith("application/json"), c.name() + ": " + response.contentType());
            String message = response.jsonPath().getString("error.message");
            assertTrue(message != null && message.contains(c.contains()), c.name() + ": " + body);
            assertFalse(body.contains("Exception") || body.contains("\tat "), c.name() + " leaks a stack trace: " + body);
            assertEquals(null, response.getHeader("Set-Cookie"), c.name());
            table.append("[hostile] ").append(c.name()).append(" | ").append(response.statusCode()).append(" | ")
                    .append(response.jsonPath().getString("error.type")).append('\n');
        }
        System.out.print(table);
        assertEquals(0, Simulator.upstreamCalls(), "Mistral saw none of the " + cases.size() + " hostile requests");

        client().contentType(ContentType.JSON).body("{\"messages\":[" + USER + "]}").post("/api/chat").then().statusCode(200);
        Management.given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void twoAuthorizationHeadersAreRefusedWhicheverComesFirst() {
        Simulator.reset();
        for (String[] keys : new String[][] { { AuthProfile.TEAM_A_KEY, "wrong-key-0000000000" },
                { "wrong-key-0000000000", AuthProfile.TEAM_A_KEY } }) {
            given().header("Authorization", "Bearer " + keys[0]).header("Authorization", "Bearer " + keys[1])
                    .contentType(ContentType.JSON).body("{\"messages\":[" + USER + "]}").post("/api/chat")
                    .then().statusCode(400).body("error.message", org.hamcrest.Matchers.containsString("one Authorization"));
        }
        assertEquals(0, Simulator.upstreamCalls());
    }

    @Test
    void hostileHeadersAreNotEchoedOrForwarded() {
        Simulator.reset();
        String echoed = client().header("X-Request-Id", "<script>alert(1)</script>")
                .contentType(ContentType.JSON).body("{\"messages\":[" + USER + "]}").post("/api/chat")
                .then().statusCode(200).extract().header("X-Request-Id");
        assertNotEquals("<script>alert(1)</script>", echoed, "an unsafe request id is replaced, not echoed");
        given().header("Authorization", "Bearer " + "k".repeat(8_000)).contentType(ContentType.JSON)
                .body("{\"messages\":[" + USER + "]}").post("/api/chat").then().statusCode(401);
        given().urlEncodingEnabled(false).get("/v1/models/../../../etc/passwd").then().statusCode(400);
        assertEquals(1, Simulator.count("chat"));
    }
}
