package dev.mistralgateway.chat;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
@WithTestResource(SimulatorResource.class)
class ModelsAndEmbeddingsTest {

    @BeforeEach
    void resetSimulator() {
        Simulator.reset();
    }

    @Test
    void embedsWithTheDefaultModel() {
        given().contentType(ContentType.JSON).body("{\"input\":[\"first\",\"second\"]}")
                .post("/v1/embeddings")
                .then().statusCode(200)
                .body("data", hasSize(2))
                .body("data[0].embedding", hasSize(1024))
                .body("data[1].index", equalTo(1))
                .body("model", equalTo("mistral-embed"));
        assertEquals("mistral-embed", Simulator.lastRequest("embeddings").getString("model"));
        assertEquals(List.of("first", "second"), Simulator.lastRequest("embeddings").getList("input"));
    }

    @Test
    void passesEmbeddingOptionsThrough() {
        given().contentType(ContentType.JSON).body("{\"input\":\"x\",\"output_dimension\":256,\"encoding_format\":\"float\"}")
                .post("/v1/embeddings")
                .then().statusCode(200)
                .body("data[0].embedding", hasSize(256));
        assertEquals("float", Simulator.lastRequest("embeddings").getString("encoding_format"));
    }

    @Test
    void answersBase64VectorsAsLittleEndianFloat32WhenAsked() {
        List<Float> floats = given().contentType(ContentType.JSON).body("{\"input\":\"same text\"}")
                .post("/v1/embeddings").then().statusCode(200).extract().jsonPath().getList("data[0].embedding", Float.class);
        String base64 = given().contentType(ContentType.JSON)
                .body("{\"input\":\"same text\",\"encoding_format\":\"base64\"}")
                .post("/v1/embeddings").then().statusCode(200).extract().jsonPath().getString("data[0].embedding");

        FloatBuffer decoded = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer();
        assertEquals(1024, decoded.remaining(), "1024 float32 values");
        for (int i = 0; i < floats.size(); i++) {
            assertEquals(floats.get(i), decoded.get(i), "value " + i);
        }
        assertEquals("base64", Simulator.lastRequest("embeddings").getString("encoding_format"), "asked of Mistral too");
    }

    @Test
    void refusesInvalidEmbeddingRequestsWithoutCallingMistral() {
        String[][] cases = {
                { "{}", "'input' is required" },
                { "{\"input\":\"\"}", "'input' must not be empty" },
                { "{\"input\":[]}", "non-empty array" },
                { "{\"input\":[\"ok\", 3]}", "input[1] must be a non-empty string" },
                { "{\"input\":\"x\",\"model\":\"text-embedding-3-large\"}", "is not allowed" },
                { "{\"input\":\"x\",\"encoding_format\":\"hex\"}", "'encoding_format' must be one of [float, base64]" },
        };
        for (String[] c : cases) {
            given().contentType(ContentType.JSON).body(c[0])
                    .post("/v1/embeddings")
                    .then().statusCode(400)
                    .body("error.type", equalTo("invalid_request_error"))
                    .body("error.message", containsString(c[1]));
        }
        assertEquals(0, Simulator.upstreamCalls());
    }

    @Test
    void unknownPathsGetAJsonNotFound() {
        given().get("/v1/nothing-here")
                .then().statusCode(404)
                .contentType(ContentType.JSON)
                .body("error.type", equalTo("not_found_error"));
    }
}
