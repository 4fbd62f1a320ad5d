package dev.mistralgateway.mistral;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.buffer.Buffer;

/** What a client that asked for base64 vectors gets, whatever Mistral answered. */
class EmbeddingEncodingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FLOAT_ANSWER = "{\"id\":\"e1\",\"object\":\"list\",\"data\":[{\"object\":\"embedding\","
            + "\"embedding\":[0.5,-1.25,3.0E-4],\"index\":0},{\"object\":\"embedding\",\"embedding\":[2.0],\"index\":1}],"
            + "\"model\":\"mistral-embed\",\"usage\":{\"prompt_tokens\":3,\"total_tokens\":3}}";

    @Test
    void encodesNumbersAsLittleEndianFloat32WhenBase64WasAsked() throws Exception {
        JsonNode answer = JSON.readTree(EmbeddingEncoding.asRequested(request("{\"encoding_format\":\"base64\"}"),
                Buffer.buffer(FLOAT_ANSWER)).getBytes());

        ByteBuffer first = ByteBuffer.wrap(Base64.getDecoder().decode(answer.at("/data/0/embedding").asText()))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(12, first.remaining());
        assertEquals(0.5f, first.getFloat());
        assertEquals(-1.25f, first.getFloat());
        assertEquals(3.0E-4f, first.getFloat());
        assertEquals(4, Base64.getDecoder().decode(answer.at("/data/1/embedding").asText()).length);
        assertEquals(3, answer.at("/usage/prompt_tokens").asInt(), "the rest of the answer is kept");
        assertEquals("e1", answer.path("id").asText());
    }

    @Test
    void encodesOneByteAValueForTheIntegerDataTypes() throws Exception {
        String ints = "{\"data\":[{\"embedding\":[-128,0,127,255],\"index\":0}]}";
        JsonNode answer = JSON.readTree(EmbeddingEncoding.asRequested(
                request("{\"encoding_format\":\"base64\",\"output_dtype\":\"int8\"}"), Buffer.buffer(ints)).getBytes());

        assertArrayEquals(new byte[] { -128, 0, 127, -1 },
                Base64.getDecoder().decode(answer.at("/data/0/embedding").asText()));
    }

    @Test
    void relaysMistralsOwnBytesWhenNothingNeedsEncoding() throws Exception {
        Buffer floats = Buffer.buffer(FLOAT_ANSWER);
        assertSame(floats, EmbeddingEncoding.asRequested(request("{}"), floats), "float asked: untouched");
        assertSame(floats, EmbeddingEncoding.asRequested(request("{\"encoding_format\":\"float\"}"), floats));
        Buffer base64 = Buffer.buffer("{\"data\":[{\"embedding\":\"AAAAPw==\",\"index\":0}]}");
        assertSame(base64, EmbeddingEncoding.asRequested(request("{\"encoding_format\":\"base64\"}"), base64),
                "Mistral answered base64 itself");
    }

    private static JsonNode request(String json) throws Exception {
        return JSON.readTree(json);
    }
}
