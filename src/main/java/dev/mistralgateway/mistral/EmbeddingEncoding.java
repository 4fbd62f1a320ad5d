package dev.mistralgateway.mistral;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.buffer.Buffer;

/**
 * Mistral's {@code encoding_format} of embeddings: {@code "float"} (the default) answers each vector as JSON numbers,
 * {@code "base64"} as the base64 of its bytes: little-endian float32 for the {@code float} data type (as OpenAI's API
 * does, and so the OpenAI SDK, which asks for base64 by default, decodes it), one byte per value for the integer and
 * binary data types ({@code output_dtype} {@code int8}, {@code uint8}, {@code binary}, {@code ubinary}).
 */
public final class EmbeddingEncoding {

    public static final String FLOAT = "float";
    public static final String BASE64 = "base64";
    /** The values of {@code encoding_format} Mistral documents. */
    public static final List<String> FORMATS = List.of(FLOAT, BASE64);

    private static final ObjectMapper JSON = new ObjectMapper();

    private EmbeddingEncoding() {
    }

    /** Whether the request asks for base64 vectors. */
    public static boolean base64Requested(JsonNode request) {
        return BASE64.equals(request.path("encoding_format").asText(null));
    }

    /** The base64 text of one vector of numbers, in the request's data type ({@code output_dtype}, default float). */
    public static String base64(JsonNode vector, String dtype) {
        boolean floats = dtype == null || FLOAT.equals(dtype);
        ByteBuffer bytes = ByteBuffer.allocate(vector.size() * (floats ? Float.BYTES : 1)).order(ByteOrder.LITTLE_ENDIAN);
        for (JsonNode value : vector) {
            if (floats) {
                bytes.putFloat(value.floatValue());
            } else {
                bytes.put((byte) value.intValue());
            }
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    /**
     * The answer as the request asked for it: when base64 was asked and the answer carries a vector as numbers (an
     * upstream that ignores the field), every such vector encoded; otherwise the answer's own bytes, untouched.
     */
    public static Buffer asRequested(JsonNode request, Buffer answer) {
        if (!base64Requested(request)) {
            return answer;
        }
        try {
            JsonNode root = JSON.readTree(answer.getBytes());
            String dtype = request.path("output_dtype").asText(null);
            boolean changed = false;
            for (JsonNode item : root.path("data")) {
                JsonNode vector = item.get("embedding");
                if (vector != null && vector.isArray() && item instanceof ObjectNode object) {
                    object.put("embedding", base64(vector, dtype));
                    changed = true;
                }
            }
            return changed ? Buffer.buffer(JSON.writeValueAsBytes(root)) : answer;
        } catch (IOException e) {
            throw new MistralProtocolException("Mistral answered embeddings with a body that is not valid JSON", e);
        }
    }
}
