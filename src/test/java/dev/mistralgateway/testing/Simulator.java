package dev.mistralgateway.testing;

import static io.restassured.RestAssured.given;

import java.util.Map;

import org.eclipse.microprofile.config.ConfigProvider;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mistralgateway.simulator.Fault;
import io.restassured.http.ContentType;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.restassured.path.json.JsonPath;

/** The test side of the simulator's admin API: arrange faults, read what Mistral would have seen. */
public final class Simulator {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Simulator() {
    }

    public static String url() {
        return ConfigProvider.getConfig().getValue("mistral.base-url", String.class);
    }

    /** The key the gateway under test sends to Mistral. */
    public static String gatewayMistralKey() {
        return ConfigProvider.getConfig().getValue("mistral.api-key", String.class);
    }

    /** The upstream key named {@code name} in {@code mistral.api-keys} (a test with several keys). */
    public static String gatewayMistralKey(String name) {
        for (String entry : ConfigProvider.getConfig().getValue("mistral.api-keys", String[].class)) {
            if (entry.startsWith(name + "=")) {
                return entry.substring(name.length() + 1);
            }
        }
        throw new IllegalArgumentException("no upstream key named " + name);
    }

    /** Clears faults, counters and key, and closes the gateway's circuit breaker: each test starts from a healthy Mistral. */
    public static void reset() {
        given().baseUri(url()).post("/_simulator/reset").then().statusCode(204);
        CircuitBreakerMaintenance.get().resetAll();
    }

    /** Arranges a fault through the simulator's admin API, as an operator or a script would. */
    public static void inject(Fault fault) {
        given().baseUri(url()).contentType(ContentType.JSON).body(JSON.valueToTree(fault).toString())
                .post("/_simulator/faults").then().statusCode(201);
    }

    /** Makes the simulator accept only this key, so the gateway's own key is refused with Mistral's real 401. */
    public static void acceptOnlyKey(String key) {
        given().baseUri(url()).body(key).put("/_simulator/api-key").then().statusCode(204);
    }

    /** Requests (chat, stream, models, embeddings) or outcomes (streams_cancelled, unauthorized, ...) counted. */
    public static long count(String name) {
        Long value = stats().getObject("counters." + name, Long.class);
        return value == null ? 0 : value;
    }

    /** Upstream calls of any kind: what a refused request must not cause. */
    public static long upstreamCalls() {
        return count("chat") + count("stream") + count("embeddings") + count("models") + count("fim") + count("fim_stream")
                + count("agents") + count("agents_stream") + count("moderations") + count("chat_moderations")
                + count("classifications") + count("chat_classifications") + count("ocr")
                + count("transcriptions_started");
    }

    /** The body of the last request the simulator received on this endpoint (chat, embeddings). */
    public static JsonPath lastRequest(String endpoint) {
        return stats().setRootPath("lastRequests." + endpoint);
    }

    /** The headers of the last request on this endpoint, names lower-cased; Authorization as "expected" or "other". */
    public static Map<String, String> lastHeaders(String endpoint) {
        return stats().getMap("lastHeaders." + endpoint, String.class, String.class);
    }

    private static JsonPath stats() {
        return given().baseUri(url()).get("/_simulator/stats").then().statusCode(200).extract().jsonPath();
    }
}
